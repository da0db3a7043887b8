using OnCallBot.Slack.Coordination;

namespace OnCallBot.Slack.Tests.Coordination;

public sealed class SlackMarkdownTests
{
    [Fact]
    public void ToMrkdwn_SummaryMarkdown_HeadingsBoldLinesDoubleStarsSingleAndBullets()
    {
        const string Markdown = "# INC-1: Carts & <checkout> down\n\n- **Service:** Checkout\n\n## Roles\n- **Commander:** Anna\n  - 09:05 Anna is now commander";

        var mrkdwn = SlackMarkdown.ToMrkdwn(Markdown);

        Assert.Equal(
            "*INC-1: Carts &amp; &lt;checkout&gt; down*\n\n• *Service:* Checkout\n\n*Roles*\n• *Commander:* Anna\n    ◦ 09:05 Anna is now commander",
            mrkdwn);
    }

    [Fact]
    public void ToMrkdwn_SlackStyleAnnouncement_LeftAsIs()
    {
        Assert.Equal("*Status update, INC-1*: ok\n_by Anna_", SlackMarkdown.ToMrkdwn("*Status update, INC-1*: ok\n_by Anna_"));
    }

    [Fact]
    public void Split_LongText_AtLineBreaksWithinTheLimit()
    {
        var lines = Enumerable.Range(1, 100).Select(i => $"line {i:D3} " + new string('x', 40)).ToList();

        var parts = SlackMarkdown.Split(string.Join('\n', lines), 500);

        Assert.All(parts, p => Assert.True(p.Length <= 500));
        Assert.Equal(lines, parts.SelectMany(p => p.Split('\n')));
    }

    [Fact]
    public void Split_OneOverlongLine_CutWithEllipsis()
    {
        var parts = SlackMarkdown.Split("short\n" + new string('y', 50), 20);

        Assert.Equal(["short", new string('y', 19) + "…"], parts);
    }
}
