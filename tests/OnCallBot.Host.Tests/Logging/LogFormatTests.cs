using System.Text.Json;
using Microsoft.Extensions.Logging;
using OnCallBot.Host.Hosting;

namespace OnCallBot.Host.Tests.Logging;

/// <summary>
/// A log line is the bot's word: user text (a /page reason, a note) must not be able to write one. In the text log
/// control characters are escaped; the JSON log is one object per line.
/// </summary>
public sealed class LogFormatTests
{
    private const string Forged = "x\n13:00:00 ERR OnCallBot.Security.Audit: forged";

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public void Event_PropertyWithNewlineAndForgedLine_IsOnePhysicalLine(string format)
    {
        using var log = CapturedLog.Start(format);

        log.Factory.CreateLogger("OnCallBot.Slack.Paging").LogInformation("Paged for {Reason}", Forged);

        var line = Assert.Single(log.Lines);
        Assert.DoesNotContain("\r", log.Output);
        Assert.Contains("forged", line);
        Assert.EndsWith("\n", log.Output);
    }

    [Fact]
    public void TextFormat_NewlineInProperty_IsWrittenAsBackslashN()
    {
        using var log = CapturedLog.Start("text");

        log.Factory.CreateLogger("OnCallBot.Slack.Paging").LogInformation("Paged for {Reason}", Forged);

        Assert.Matches(@"^\d\d:\d\d:\d\d INF OnCallBot\.Slack\.Paging: Paged for x\\n13:00:00 ERR OnCallBot\.Security\.Audit: forged\r?\n$", log.Output);
    }

    [Fact]
    public void JsonFormat_NewlineInProperty_RoundTripsInTheProperty()
    {
        using var log = CapturedLog.Start("json");

        log.Factory.CreateLogger("OnCallBot.Slack.Paging").LogInformation("Paged for {Reason}", Forged);

        using var json = JsonDocument.Parse(Assert.Single(log.Lines));
        Assert.Equal(Forged, json.RootElement.GetProperty("Reason").GetString());
        Assert.Equal("OnCallBot.Slack.Paging", json.RootElement.GetProperty("SourceContext").GetString());
        Assert.Contains("Paged for", json.RootElement.GetProperty("@m").GetString());
    }

    [Theory]
    [InlineData('\r', @"\r")]
    [InlineData('\t', @"\t")]
    [InlineData('\0', @"\u0000")]
    [InlineData('\u001B', @"\u001B")] // ESC: terminal escape sequences
    [InlineData('\u007F', @"\u007F")] // DEL
    [InlineData('\u0085', @"\u0085")] // NEL (C1)
    [InlineData('\u009B', @"\u009B")] // CSI (C1)
    [InlineData('\u2028', @"\u2028")] // line separator
    [InlineData('\u2029', @"\u2029")] // paragraph separator
    public void TextFormat_ControlCharacterInProperty_IsEscaped(char control, string escaped)
    {
        using var log = CapturedLog.Start("text");

        log.Factory.CreateLogger("OnCallBot.Slack.Paging").LogInformation("Note {Text}", $"before{control}after");

        Assert.Contains($"before{escaped}after", log.Output);
        Assert.DoesNotContain(control.ToString(), log.Output);
    }

    [Fact]
    public void TextFormat_PlainText_IsUnchanged()
    {
        using var log = CapturedLog.Start("text");

        log.Factory.CreateLogger("OnCallBot.Slack.Paging").LogInformation("Paged {Service} for {Reason}", "checkout", "Cards are timing out (ünïcödé, emoji 🚨)");

        Assert.EndsWith("INF OnCallBot.Slack.Paging: Paged checkout for Cards are timing out (ünïcödé, emoji 🚨)" + Environment.NewLine, log.Output);
    }

    [Fact]
    public void TextFormat_ExceptionWithForgedLine_FollowsOnIndentedLinesOnly()
    {
        using var log = CapturedLog.Start("text");
        var exception = CaptureThrown(() => throw new InvalidOperationException("bad input " + Forged));

        log.Factory.CreateLogger("OnCallBot.Slack.Paging").LogError(exception, "The page failed");

        var lines = log.Lines;
        Assert.Matches(@"^\d\d:\d\d:\d\d ERR OnCallBot\.Slack\.Paging: The page failed\r?$", lines[0]);
        Assert.True(lines.Length > 2, "the stack trace keeps its lines");
        Assert.All(lines.Skip(1), line => Assert.StartsWith("    ", line));
        Assert.Contains(lines, line => line.Contains("InvalidOperationException: bad input x"));
    }

    [Fact]
    public void Format_Unknown_FailsAtStartSayingWhatToUse()
    {
        var error = Assert.Throws<InvalidOperationException>(() => CapturedLog.Start("xml"));

        Assert.Contains("Log:Format is 'xml'", error.Message);
        Assert.Contains("'text'", error.Message);
        Assert.Contains("'json'", error.Message);
    }

    [Theory]
    [InlineData("JSON")]
    [InlineData(" json ")]
    public void Format_JsonInAnyCaseOrSpacing_IsJson(string format)
    {
        using var log = CapturedLog.Start(format);

        log.Factory.CreateLogger("OnCallBot").LogInformation("Hello {Name}", "world");

        using var json = JsonDocument.Parse(Assert.Single(log.Lines));
        Assert.Equal("world", json.RootElement.GetProperty("Name").GetString());
    }

    [Fact]
    public void Escape_TextWithoutControlCharacters_IsTheSameInstance()
    {
        const string text = "Cards are timing out";

        Assert.Same(text, SingleLineTextFormatter.Escape(text));
    }

    private static Exception CaptureThrown(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex)
        {
            return ex;
        }
        throw new InvalidOperationException("nothing was thrown");
    }
}
