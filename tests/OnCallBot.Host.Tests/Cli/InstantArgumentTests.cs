using System.Text.RegularExpressions;
using NodaTime;
using NodaTime.Text;
using OnCallBot.Host.Cli;

namespace OnCallBot.Host.Tests.Cli;

public sealed class InstantArgumentTests
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];

    [Theory]
    [InlineData("2026-03-29T01:30Z", "2026-03-29T01:30:00Z")]
    [InlineData("2026-03-29T01:30:00Z", "2026-03-29T01:30:00Z")]
    [InlineData("2026-03-29T01:30:00.25Z", "2026-03-29T01:30:00.25Z")]
    [InlineData("2026-03-29T03:30+02:00", "2026-03-29T01:30:00Z")]
    [InlineData("2026-03-29T02:30+01:00", "2026-03-29T01:30:00Z")]
    [InlineData("2026-03-29T03:30+02", "2026-03-29T01:30:00Z")]
    [InlineData("2026-03-29T03:30:15.5+02:00", "2026-03-29T01:30:15.5Z")]
    [InlineData("2026-03-28T20:30-05:00", "2026-03-29T01:30:00Z")]
    [InlineData("2026-03-29 03:30+02:00", "2026-03-29T01:30:00Z")]
    [InlineData("2026-03-29 01:30Z", "2026-03-29T01:30:00Z")]
    [InlineData("2026-03-29T03:30", "2026-03-29T01:30:00Z")]      // local, read in Berlin
    [InlineData("2026-03-29T03:30:00", "2026-03-29T01:30:00Z")]
    [InlineData("2026-03-29 03:30", "2026-03-29T01:30:00Z")]
    public void TryParse_AcceptedForms_GiveTheInstant(string text, string expected)
    {
        Assert.True(InstantArgument.TryParse(text, Berlin, out var instant, out var error), error);
        Assert.Equal(InstantPattern.ExtendedIso.Parse(expected).Value, instant);
    }

    [Theory]
    [InlineData("2026-10-25T02:30", "happens twice in Europe/Berlin")]
    [InlineData("2026-03-29T02:30", "does not exist in Europe/Berlin")]
    [InlineData("tomorrow", "is not an instant")]
    [InlineData("2026-03-29T25:00Z", "is not an instant")]
    [InlineData("2026-03-29T03:30+25:00", "is not an instant")]
    public void TryParse_Refused_SaysWhy(string text, string reason)
    {
        Assert.False(InstantArgument.TryParse(text, Berlin, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("2026-10-25T02:30")]
    [InlineData("2026-03-29T02:30")]
    [InlineData("2026-03-29 02:30")]
    [InlineData("2026-03-29T02:30:00")]
    [InlineData("tomorrow")]
    public void TryParse_Refused_EveryInstantTheMessageOffersIsAccepted(string text)
    {
        Assert.False(InstantArgument.TryParse(text, Berlin, out _, out var error));
        var offered = Regex.Matches(error, @"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d|Z)?").Select(m => m.Value).Where(v => v != text).ToList();

        Assert.NotEmpty(offered);
        Assert.All(offered, o => Assert.True(InstantArgument.TryParse(o, Berlin, out _, out var problem), $"{o}: {problem}"));
    }
}
