using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OnCallBot.Slack.Tests;

public sealed class SlackServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> config)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(config).Build());
        services.AddSlack();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddSlack_BotTokenAndSigningSecret_EnabledForHttpOnly()
    {
        var options = Build(new() { ["Slack:BotToken"] = "xoxb-1", ["Slack:SigningSecret"] = "s" }).GetRequiredService<IOptions<SlackOptions>>().Value;

        Assert.True(options.IsEnabled);
        Assert.False(options.IsSocketModeEnabled);
        Assert.Equal(new Uri("https://slack.com/api/"), options.ApiBaseUrl);
    }

    [Theory]
    [InlineData(null, "s", null)]
    [InlineData("xoxb-1", null, null)]
    [InlineData(null, null, "xapp-1")]
    public void AddSlack_IncompleteSettings_Off(string? bot, string? secret, string? app)
    {
        var options = Build(new() { ["Slack:BotToken"] = bot, ["Slack:SigningSecret"] = secret, ["Slack:AppToken"] = app })
            .GetRequiredService<IOptions<SlackOptions>>().Value;

        Assert.False(options.IsEnabled);
    }

    [Theory]
    [InlineData("Slack:BotToken", "xoxp-user-token", "Slack:BotToken must be a bot token starting with 'xoxb-'")]
    [InlineData("Slack:AppToken", "xoxb-wrong-kind", "Slack:AppToken must be an app-level token starting with 'xapp-'")]
    [InlineData("Slack:ApiBaseUrl", "/relative", "Slack:ApiBaseUrl must be an absolute http(s) URL")]
    [InlineData("Slack:MaxRateLimitRetries", "-1", "Slack:MaxRateLimitRetries must be 0 or more")]
    public void AddSlack_BadSetting_FailsValidationSayingHowToFixWithoutEchoingSecrets(string key, string value, string message)
    {
        var provider = Build(new() { ["Slack:BotToken"] = "xoxb-1", ["Slack:SigningSecret"] = "s", [key] = value });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SlackOptions>>().Value);

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value.StartsWith("xo", StringComparison.Ordinal) ? value : "\u0000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_RedactsEverySecret()
    {
        var text = new SlackOptions { BotToken = "xoxb-secret-bot", SigningSecret = "signing-secret", AppToken = "xapp-secret-app" }.ToString();

        Assert.DoesNotContain("secret-bot", text, StringComparison.Ordinal);
        Assert.DoesNotContain("signing-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-app", text, StringComparison.Ordinal);
        Assert.Contains("BotToken = (set, redacted)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AddSlack_CalledTwice_RegistersHostedServicesOnce()
    {
        var services = new ServiceCollection();
        services.AddSlack();
        services.AddSlack();

        Assert.Equal(2, services.Count(d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService)));
    }
}
