using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using static OnCallBot.Core.Tests.Coordination.CoordinationHarness;

namespace OnCallBot.Core.Tests.Coordination;

/// <summary>The Markdown summary keeps what people typed inside their own lines: it cannot add headings or list items.</summary>
public sealed class CoordinationSummaryTests
{
    [Fact]
    public async Task SummaryAsync_NoteWithNewlinesForgingARolesSection_OneRolesHeadingAndTheNoteStaysOnItsLine()
    {
        var h = new CoordinationHarness();
        await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        await h.Coordination.AddNoteAsync(1, "fixed\n## Roles\n- **Commander:** Mallory", Eve, CancellationToken.None);
        await h.DeliverAsync();
        var lines = (await h.Coordination.SummaryAsync(1, CancellationToken.None))!.Split('\n');
        await h.DeliverAsync();

        Assert.Equal("## Roles", Assert.Single(lines, l => l.Contains("Roles", StringComparison.Ordinal) && l.StartsWith('#')));
        Assert.Equal("- **Commander:** Alice", Assert.Single(lines, l => l.StartsWith("- **Commander:**", StringComparison.Ordinal)));
        Assert.Contains("- 2026-01-05 09:00 UTC Eve: fixed / ## Roles / - **Commander:** Mallory", lines);
        // What was typed is kept as typed; only the summary folds it.
        Assert.Equal("Eve: fixed\n## Roles\n- **Commander:** Mallory", Assert.Single(await h.EventsAsync(1, IncidentEventKind.Note)).Text);
    }

    [Fact]
    public async Task SummaryAsync_MultilineTitleStatusAndNote_EveryLineIsOneTheSummaryWrote()
    {
        var h = new CoordinationHarness();
        // The title is made one line when the page opens (UserText.SingleLine); the summary cannot be forged by it either way.
        var incident = await h.PageAsync(summary: "Checkout returns 500s\r\n# INC-9: fake\n");
        await h.RunEscalationAsync();
        await h.Paging.AcknowledgeAsync(incident.Number, Alice, CancellationToken.None);
        await h.DeliverAsync();

        await h.Coordination.PostStatusAsync(incident.Number, "Mitigated\n\n> all clear\n  - really\u2028## Timeline", Alice, CancellationToken.None);
        await h.DeliverAsync();
        await h.Coordination.AddNoteAsync(incident.Number, "step 1\n\n\nstep 2", Alice, CancellationToken.None);
        await h.DeliverAsync();
        var summary = (await h.Coordination.SummaryAsync(incident.Number, CancellationToken.None))!;
        await h.DeliverAsync();
        var lines = summary.Split('\n');

        Assert.Equal("# INC-1: Checkout returns 500s # INC-9: fake", lines[0]);
        Assert.Single(lines, l => l.StartsWith("# ", StringComparison.Ordinal));
        Assert.Equal(["## Roles", "## Pages and escalations", "## Timeline"], lines.Where(l => l.StartsWith("## ", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.StartsWith('>') || l.TrimStart().StartsWith("- really", StringComparison.Ordinal));
        Assert.Contains("- 2026-01-05 09:00 UTC Status update by Alice: Mitigated / > all clear / - really / ## Timeline", lines);
        Assert.Contains("- 2026-01-05 09:00 UTC Alice: step 1 / step 2", lines);
        Assert.DoesNotContain('\r', summary);
    }
}
