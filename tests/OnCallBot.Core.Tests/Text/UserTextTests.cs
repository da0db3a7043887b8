using OnCallBot.Core.Text;

namespace OnCallBot.Core.Tests.Text;

public sealed class UserTextTests
{
    [Theory]
    [InlineData("Cards are timing out", "Cards are timing out")]
    [InlineData("Cards\0 are\u0007 timing\u007F out\u009B", "Cards are timing out")]
    [InlineData("line one\r\nline two\nthree\rfour", "line one line two three four")]
    [InlineData("a\n\n\r\n\u2028\u2029b", "a b")]
    [InlineData("a\n\0\nb", "a b")]
    [InlineData("a\vb\fc\u0085d", "a b c d")]
    [InlineData("col1\tcol2", "col1 col2")]
    [InlineData("evil\u202Etxt.exe \u2066iso\u2069 \u202Aemb\u202C", "eviltxt.exe iso emb")]
    [InlineData("emoji 🚨 and שלום \u200F kept", "emoji 🚨 and שלום \u200F kept")]
    [InlineData("", "")]
    public void SingleLine_ControlsRemovedAndLineBreaksBecomeOneSpace(string typed, string expected)
    {
        Assert.Equal(expected, UserText.SingleLine(typed));
    }

    [Theory]
    [InlineData("Rolled back\r\nto v41", "Rolled back\nto v41")]
    [InlineData("one\rtwo\u2028three\u2029four\u0085five", "one\ntwo\nthree\nfour\nfive")]
    [InlineData("para\n\nnext", "para\n\nnext")]
    [InlineData("no\0 nul\u001B[31m", "no nul[31m")]
    [InlineData("tab\tstop", "tab stop")]
    [InlineData("\u202Ereversed", "reversed")]
    public void MultiLine_LineBreaksBecomeNewlinesAndControlsRemoved(string typed, string expected)
    {
        Assert.Equal(expected, UserText.MultiLine(typed));
    }

    [Fact]
    public void BothForms_UnpairedSurrogates_RemovedAndPairsKept()
    {
        // Built at run time: attribute arguments are stored as UTF-8, which cannot hold a lone surrogate.
        var typed = "lone " + '\uD800' + " high, lone " + '\uDC00' + " low, pair 🚨" + '\uD83D';

        Assert.Equal("lone  high, lone  low, pair 🚨", UserText.SingleLine(typed));
        Assert.Equal("lone  high, lone  low, pair 🚨", UserText.MultiLine(typed));
    }

    [Fact]
    public void SingleLine_CleanText_ReturnedWithoutCopying()
    {
        var line = "Checkout returns 500s 🚨";
        var lines = "Rolled back\nto v41";

        Assert.Same(line, UserText.SingleLine(line));
        Assert.Same(lines, UserText.MultiLine(lines));
    }
}
