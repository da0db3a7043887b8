using Microsoft.Extensions.Logging;
using OnCallBot.Host.Hosting;

namespace OnCallBot.Host.Tests.Logging;

/// <summary>
/// Secrets never appear in logs: whatever code or a library puts in an event (a property, a structured value, the
/// template's text, an exception), the configured secrets and anything shaped like a Slack token are masked.
/// </summary>
public sealed class LogRedactionTests
{
    // Split so that no committed line looks like a live Slack token to a secret scanner; the values are made up.
    private const string BotToken = "xox" + "b-7203648211-7834509912387-Q2sVd9LkPaTr0mXyZb1cNe4W";
    private const string AppToken = "xapp" + "-1-A07ABCDEF12-7834509912388-3f9c2e1a7b6d4c8e0f1a2b3c4d5e6f70";
    private const string SigningSecret = "8f14e45fceea167a5a36dedd4bea2543";
    private const string TeamsPassword = "Tq8~sEcReT.pAsSwOrD_0123456789";

    private static CapturedLog Start(string format, params (string, string)[] more) => CapturedLog.Start(format,
    [
        ("Slack:BotToken", BotToken), ("Slack:AppToken", AppToken), ("Slack:SigningSecret", SigningSecret),
        ("Teams:AppPassword", TeamsPassword), .. more,
    ]);

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public void ConfiguredSecrets_InPropertiesOfEveryShape_AreMasked(string format)
    {
        using var log = Start(format);
        var logger = log.Factory.CreateLogger("Some.Library");

        logger.LogInformation("Header {Authorization}", $"Bearer {BotToken}");
        logger.LogInformation("Headers {Headers}", new Dictionary<string, string[]> { ["Authorization"] = [$"Bearer {AppToken}"] });
        logger.LogInformation("Values {Values}", new List<string> { SigningSecret, "harmless" });
        logger.LogInformation("Settings {@Settings}", new { AppPassword = TeamsPassword, AppId = "app-id-1" });
        logger.LogInformation("Address {Address}", new Uri($"https://example.com/hook?secret={SigningSecret}"));

        AssertNoSecret(log.Output);
        Assert.Equal(5, log.Lines.Length);
        Assert.Contains("harmless", log.Output);
        Assert.Contains("app-id-1", log.Output);
        Assert.Contains(SecretRedactor.Mask, log.Output);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public void ConfiguredSecrets_InTemplateTextAndException_AreMasked(string format)
    {
        using var log = Start(format);
        var logger = log.Factory.CreateLogger("Some.Library");

        // A library that builds its message by concatenation: the secret is in the template itself.
#pragma warning disable CA2254 // the point of the test
        logger.LogWarning("Connecting with token " + AppToken);
#pragma warning restore CA2254
        logger.LogError(new InvalidOperationException($"Login failed for {BotToken} / {TeamsPassword}"), "Login failed");

        AssertNoSecret(log.Output);
        Assert.Contains("Connecting with token", log.Output);
        Assert.Contains("InvalidOperationException", log.Output);
        Assert.Contains("Login failed for", log.Output);
    }

    [Theory]
    [InlineData("xox" + "p-1234567890-0987654321-abcdefABCDEF")]
    [InlineData("xoxe.xoxp-1-Mi0yLTEyMzQ1Njc4OTAtMDk4NzY1NDMyMQ")]
    [InlineData("xoxe-1-My0xLTEyMzQ1Njc4OTAtMDk4NzY1NDMyMQ")]
    [InlineData("xapp" + "-1-A0SOMEAPP-1234567890-abcdef0123456789")]
    public void SlackShapedToken_NotConfigured_IsMasked(string token)
    {
        using var log = CapturedLog.Start("json");

        log.Factory.CreateLogger("Some.Library").LogInformation("Seen {Value} in a reply", $"token={token}&x=1");

        Assert.DoesNotContain(token, log.Output);
        Assert.Contains("token=" + SecretRedactor.Mask + "&x=1", log.Output);
    }

    [Theory]
    [InlineData("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "eyJhbGciOiJSUzI1NiJ9")]
    [InlineData("posting to https://hooks.slack.com/commands/T0001/1234/AbCdEf0123 now", "AbCdEf0123")]
    public void BearerCredentialOrSlackHookPath_IsMasked(string text, string secretPart)
    {
        using var log = CapturedLog.Start("text");

        log.Factory.CreateLogger("Some.Library").LogInformation("{Text}", text);

        Assert.DoesNotContain(secretPart, log.Output);
        Assert.Contains(SecretRedactor.Mask, log.Output);
    }

    [Fact]
    public void StorePassword_InConnectionString_IsMasked()
    {
        using var log = CapturedLog.Start("text", ("Storage:ConnectionString", "Host=db;Username=oncallbot;Password=pg-Pa55word-xyz;Database=oncallbot"));

        log.Factory.CreateLogger("Npgsql").LogWarning("Could not connect with {ConnectionString}", "Host=db;Username=oncallbot;Password=pg-Pa55word-xyz");

        Assert.DoesNotContain("pg-Pa55word-xyz", log.Output);
        Assert.Contains("Username=oncallbot", log.Output);
    }

    [Fact]
    public void RotatedToken_AfterConfigurationReload_IsMaskedFromTheNextEvent()
    {
        using var log = Start("text");
        const string rotated = "xoxb-rotated-9999999999-ZZZZZZZZZZZZ";
        const string rotatedSecret = "0123456789abcdef0123456789abcdef";

        log.Configuration["Slack:SigningSecret"] = rotatedSecret;
        log.Configuration["Slack:BotToken"] = rotated;
        log.Configuration.Reload();
        log.Factory.CreateLogger("Some.Library").LogInformation("Now {Value} and {Other}", rotatedSecret, rotated);

        Assert.DoesNotContain(rotatedSecret, log.Output);
        Assert.DoesNotContain(rotated, log.Output);
    }

    [Fact]
    public void EventWithoutSecrets_IsWrittenUnchanged()
    {
        using var log = Start("text");

        log.Factory.CreateLogger("OnCallBot.Slack").LogInformation("Slack {Method} failed: {Error}", "chat.postMessage", "channel_not_found");

        Assert.EndsWith("INF OnCallBot.Slack: Slack chat.postMessage failed: channel_not_found" + Environment.NewLine, log.Output);
    }

    private static void AssertNoSecret(string output)
    {
        Assert.DoesNotContain(BotToken, output);
        Assert.DoesNotContain(AppToken, output);
        Assert.DoesNotContain(SigningSecret, output);
        Assert.DoesNotContain(TeamsPassword, output);
        Assert.DoesNotContain("Bearer xox", output);
        Assert.DoesNotContain("Bearer xapp", output);
    }
}
