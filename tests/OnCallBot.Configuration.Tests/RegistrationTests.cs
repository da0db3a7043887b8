using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OnCallBot.Core.Model;
using OnCallBot.Core.Ports;

namespace OnCallBot.Configuration.Tests;

public sealed class RegistrationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static IHost BuildHost(Dictionary<string, string?> settings, IConfigSnapshotStore store)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(store);
        builder.Services.AddOnCallConfiguration();
        return builder.Build();
    }

    [Fact]
    public void AddOnCallConfiguration_WithSettings_BindsOptionsAndSharesOneProvider()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OnCall:ConfigPath"] = "/etc/oncall/oncall.yaml",
            ["OnCall:ReloadDebounce"] = "00:00:03",
            ["OnCall:WatchForChanges"] = "false",
        }).Build());
        services.AddSingleton<IConfigSnapshotStore>(new InMemorySnapshotStore());

        services.AddOnCallConfiguration();
        services.AddOnCallConfiguration();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<OnCallOptions>>().Value;
        Assert.Equal("/etc/oncall/oncall.yaml", options.ConfigPath);
        Assert.Equal(TimeSpan.FromSeconds(3), options.ReloadDebounce);
        Assert.False(options.WatchForChanges);
        Assert.Same(provider.GetRequiredService<OnCallModelFileProvider>(), provider.GetRequiredService<IOnCallModelProvider>());
        Assert.Single(provider.GetServices<IHostedService>().OfType<OnCallConfigurationHostedService>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void AddOnCallConfiguration_DefaultsWhenSectionAbsent_AreOneSecondAndWatching()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddOnCallConfiguration();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<OnCallOptions>>().Value;

        Assert.Null(options.ConfigPath);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ReloadDebounce);
        Assert.True(options.WatchForChanges);
        Assert.Equal(4 * 1024 * 1024, options.MaxConfigBytes);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1023")]
    [InlineData("67108865")]
    public async Task HostStart_MaxConfigBytesOutOfRange_FailsWithTheSettingToFix(string value)
    {
        using var host = BuildHost(new() { ["OnCall:MaxConfigBytes"] = value }, new InMemorySnapshotStore());

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("OnCall:MaxConfigBytes must be a number of bytes between 1024 and 67108864 (64 MiB)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_MaxConfigBytesSet_RefusesALargerFile()
    {
        var path = _dir.File("oncall.yaml");
        File.WriteAllText(path, Yaml.Lines("users: [ { id: alice, name: Alice, time_zone: UTC } ]", "# " + new string('x', 1_100)));
        using var host = BuildHost(new() { ["OnCall:ConfigPath"] = path, ["OnCall:MaxConfigBytes"] = "1024" }, new InMemorySnapshotStore());

        var ex = await Assert.ThrowsAsync<OnCallConfigException>(() => host.StartAsync());

        Assert.Contains("more than the limit of 1,024 bytes (OnCall:MaxConfigBytes)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_NegativeDebounce_FailsWithTheSettingToFix()
    {
        using var host = BuildHost(new() { ["OnCall:ReloadDebounce"] = "-00:00:01" }, new InMemorySnapshotStore());

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("OnCall:ReloadDebounce must be a TimeSpan between 00:00:00 and 00:01:00", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_ValidFile_ServesItThroughTheCorePort()
    {
        var path = _dir.File("oncall.yaml");
        File.WriteAllText(path, Yaml.Lines("users: [ { id: alice, name: Alice, time_zone: UTC } ]"));
        using var host = BuildHost(new() { ["OnCall:ConfigPath"] = path, ["OnCall:WatchForChanges"] = "false" }, new InMemorySnapshotStore());

        await host.StartAsync();

        Assert.Equal("Alice", host.Services.GetRequiredService<IOnCallModelProvider>().Current.Users["alice"].DisplayName);
        await host.StopAsync();
    }

    [Fact]
    public async Task HostStart_InvalidFileAndNoSnapshot_FailsWithTheErrors()
    {
        var path = _dir.File("oncall.yaml");
        File.WriteAllText(path, Yaml.Lines("users:", "  - id: alice", "    name: Alice"));
        using var host = BuildHost(new() { ["OnCall:ConfigPath"] = path }, new InMemorySnapshotStore());

        var ex = await Assert.ThrowsAsync<OnCallConfigException>(() => host.StartAsync());

        Assert.Contains($"{path}:2:5: missing required key 'time_zone' in user 'alice'", ex.Message, StringComparison.Ordinal);
    }
}
