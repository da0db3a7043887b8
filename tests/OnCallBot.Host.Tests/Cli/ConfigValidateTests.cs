using System.Text;
using OnCallBot.Host.Cli;

namespace OnCallBot.Host.Tests.Cli;

/// <summary><c>config validate</c> on files made to hurt: each is refused with its place and exit 1, never a crash.</summary>
public sealed class ConfigValidateTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<(int Exit, string Output, string Error)> ValidateAsync(string path, Dictionary<string, string?>? settings = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        settings ??= [];
        settings["Storage:ConnectionString"] = _temp.SqliteConnectionString;
        var exit = await OnCallCli.RunAsync(["config", "validate", path], output, error, settings);
        return (exit, output.ToString(), error.ToString());
    }

    private string Write(byte[] bytes)
    {
        var path = _temp.File("oncall.yaml");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public async Task ConfigValidate_Nested30000Deep_ReportsNestedTooDeepWithLineAndColumnAndExitsOne()
    {
        var path = Write(Encoding.UTF8.GetBytes("users: " + new string('[', 30_000) + new string(']', 30_000) + "\n"));

        var (exit, output, error) = await ValidateAsync(path);

        Assert.Equal(ConfigCommand.Invalid, exit);
        Assert.Empty(output);
        Assert.Contains($"{path}:1:71: nested too deep", error, StringComparison.Ordinal);
        Assert.Contains("invalid, 1 error", error, StringComparison.Ordinal);
        Assert.True(error.Length < 1_000, $"{error.Length} characters of errors");
    }

    [Fact]
    public async Task ConfigValidate_InvalidUtf8_ReportsLineAndColumnAndExitsOne()
    {
        var path = Write([.. Encoding.UTF8.GetBytes("users:\n  - id: alice\n    name: Al"), 0xE9, .. Encoding.UTF8.GetBytes("ce\n    time_zone: UTC\n")]);

        var (exit, _, error) = await ValidateAsync(path);

        Assert.Equal(ConfigCommand.Invalid, exit);
        Assert.Contains($"{path}:3:13: invalid UTF-8: the bytes 0xE9 0x63", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_FileOverTheDefaultLimit_SaysTheSizeAndTheLimitAndExitsOne()
    {
        var path = Write(Encoding.UTF8.GetBytes("users: []\n#" + new string('x', 4 * 1024 * 1024) + "\n"));

        var (exit, _, error) = await ValidateAsync(path);

        Assert.Equal(ConfigCommand.Invalid, exit);
        Assert.Contains($"{path}: the file is 4,194,316 bytes, more than the limit of 4,194,304 bytes (OnCall:MaxConfigBytes)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_MaxConfigBytesSetting_IsTheLimitApplied()
    {
        var path = Write(Encoding.UTF8.GetBytes("users: []\n#" + new string('x', 2_000) + "\n"));

        var (exit, _, error) = await ValidateAsync(path, new() { ["OnCall:MaxConfigBytes"] = "1024" });

        Assert.Equal(ConfigCommand.Invalid, exit);
        Assert.Contains("the file is 2,012 bytes, more than the limit of 1,024 bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_MaxConfigBytesSettingInvalid_SaysHowToFixItAndExitsThree()
    {
        var path = Write(Encoding.UTF8.GetBytes("users: []\n"));

        var (exit, _, error) = await ValidateAsync(path, new() { ["OnCall:MaxConfigBytes"] = "lots" });

        Assert.Equal(ConfigCommand.BadSetting, exit);
        Assert.Contains("OnCall:MaxConfigBytes must be a number of bytes between 1024 and 67108864", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Who_FileOverMaxConfigBytesSetting_RefusedLikeTheBotWouldWithExitOne()
    {
        var path = Write(Encoding.UTF8.GetBytes("users: []\n#" + new string('x', 2_000) + "\n"));
        var output = new StringWriter();
        var error = new StringWriter();
        var settings = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = _temp.SqliteConnectionString,
            ["OnCall:MaxConfigBytes"] = "1024",
        };

        var exit = await OnCallCli.RunAsync(["who", "checkout", "--config", path], output, error, settings);

        Assert.Equal(ConfigCommand.Invalid, exit);
        Assert.Contains("the file is 2,012 bytes, more than the limit of 1,024 bytes", error.ToString(), StringComparison.Ordinal);
    }
}
