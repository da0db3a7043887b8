using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Slack.Coordination;
using OnCallBot.Slack.Inbound;

namespace OnCallBot.Slack.Paging;

/// <summary>
/// The coordination side of <c>/incident</c> (role, sev, phase, note, impact, status, page, resolve, summary) and
/// the card's role buttons. Each calls <see cref="CoordinationService"/> (or <see cref="PagingService"/> for page
/// and resolve) as the person who typed it. What everyone should see the core posts in the incident channel; the
/// command's own reply is short and ephemeral, and a refusal says why.
/// </summary>
internal sealed partial class SlackPagingHandler
{
    /// <summary>The longest summary shown as a reply; the full one is posted in the channel at resolution.</summary>
    internal const int MaxSummaryReplyLength = 11_000;

    private const string CoordinationOff =
        "Incident coordination is off on this bot (the host has not registered it), so only `/page`, `/ack`, `/resolve` and `/incident timeline` work.";

    private static readonly string[] Phases = ["investigating", "identified", "monitoring"];

    /// <summary>Runs a coordination subcommand; null when <paramref name="sub"/> is not one.</summary>
    private static async Task<SlackInboundResponse?> CoordinationCommandAsync(CommandContext context, string sub, string arguments)
    {
        if (sub is not ("role" or "sev" or "severity" or "phase" or "note" or "impact" or "status" or "page" or "resolve" or "summary"))
        {
            return null;
        }
        if (context.Coordination is not { } coordination)
        {
            return SlackInboundResponse.Ephemeral(CoordinationOff);
        }

        // Free text (a note, a status update, a page's summary) may mention other incidents, so there only a leading
        // id names the incident; elsewhere an id anywhere in the arguments does.
        var freeText = sub is "note" or "status" or "page";
        var words = arguments.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        long? named = null;
        if (freeText)
        {
            if (words.Length > 0 && ReferenceIn(words[0]) is { } leading)
            {
                named = leading;
                arguments = arguments.TrimStart()[words[0].Length..].Trim();
                words = words[1..];
            }
        }
        else
        {
            var index = Array.FindIndex(words, w => ReferenceIn(w) is not null);
            if (index >= 0)
            {
                named = ReferenceIn(words[index]);
                words = [.. words[..index], .. words[(index + 1)..]];
            }
        }

        // Bad usage is answered before anything is looked up: it is wrong wherever it is typed.
        if (Usage(sub, words) is { } usage)
        {
            return SlackInboundResponse.Ephemeral(usage);
        }

        IncidentRoom room;
        if (named is { } number)
        {
            var found = await coordination.GetRoomAsync(number, context.Stopping);
            if (found is null)
            {
                return SlackInboundResponse.Ephemeral(await context.Paging.GetAsync(number, context.Stopping) is null
                    ? $"No incident {IncidentReference.Format(number)}."
                    : $"{IncidentReference.Format(number)} has no incident room (it was paged before incident coordination was on), so it has no roles, severity or channel to change.");
            }
            room = found;
        }
        else if (await context.ChannelRoomAsync() is { } here)
        {
            room = here;
        }
        else
        {
            return SlackInboundResponse.Ephemeral(
                $"Which incident? Run this in the incident's channel or name it: `/incident {Example(sub)} INC-42`.");
        }

        var roomNumber = room.IncidentNumber;
        var actor = context.Actor;
        var stopping = context.Stopping;
        switch (sub)
        {
            case "role":
                var role = RoleNamed(words[0])!.Value;
                Actor? person = null;
                if (words.Length > 1)
                {
                    var target = PersonOf(context.Model, words[1]);
                    if (target is not { } chosen)
                    {
                        return SlackInboundResponse.Ephemeral($"'{SlackText.Fit(SlackText.ToPlain(words[1]), 100)}' is not a person. {RoleUsage}");
                    }
                    if (ActorFor(chosen, words[1]) is not { } assignee)
                    {
                        return SlackInboundResponse.Ephemeral(chosen.User is { } unreachable
                            ? $"{SlackText.Escape(unreachable.DisplayName)} has no Slack or Teams id in the on-call config, so they cannot hold a role from chat: add one to the config."
                            : $"{chosen.Shown} is not in the on-call config. Mention them with Slack's autocomplete instead: `/incident role {Name(role)} @name`.");
                    }
                    person = assignee;
                }
                return Reply(await coordination.AssignRoleAsync(roomNumber, role, person, actor, stopping));
            case "sev" or "severity":
                return Reply(await coordination.SetSeverityAsync(roomNumber, ParseSeverity(words[0])!.Value, actor, stopping));
            case "phase":
                return Reply(await coordination.SetPhaseAsync(roomNumber, Enum.Parse<IncidentPhase>(words[0], ignoreCase: true), actor, stopping));
            case "note":
                return Reply(await coordination.AddNoteAsync(roomNumber, SlackText.ToPlain(arguments), actor, stopping));
            case "impact":
                return Reply(await coordination.SetImpactAsync(roomNumber, words[0].Equals("start", StringComparison.OrdinalIgnoreCase), actor, stopping));
            case "status":
                return Reply(await coordination.PostStatusAsync(roomNumber, SlackText.ToPlain(arguments), actor, stopping));
            case "page":
                return await PageIntoAsync(context, room, arguments);
            case "resolve":
                return await ActOnAsync(context, SlackPagingActions.Resolve, roomNumber);
            default:
                var summary = await coordination.SummaryAsync(roomNumber, stopping);
                if (summary is null)
                {
                    return SlackInboundResponse.Ephemeral($"No incident {room.Reference}.");
                }
                var mrkdwn = SlackMarkdown.ToMrkdwn(summary);
                var parts = SlackMarkdown.Split(mrkdwn, MaxSummaryReplyLength);
                return SlackInboundResponse.Ephemeral(parts.Count == 1
                    ? mrkdwn
                    : parts[0] + $"\n_… the rest is cut here; `/incident timeline {room.Reference}` has every event._");
        }
    }

    /// <summary>Why the arguments cannot be right for <paramref name="sub"/>, with how to write it; null when they can.</summary>
    private static string? Usage(string sub, string[] words) => sub switch
    {
        "role" when words.Length is 0 or > 2 || RoleNamed(words[0]) is null => RoleUsage,
        "sev" or "severity" when words.Length != 1 || ParseSeverity(words[0]) is null =>
            "Usage: `/incident sev &lt;1-4&gt; [INC-42]` (1 is the worst), e.g. `/incident sev 2`.",
        "phase" when words.Length != 1 || !(Phases.Contains(words[0], StringComparer.OrdinalIgnoreCase) || words[0].Equals("resolved", StringComparison.OrdinalIgnoreCase)) =>
            "Usage: `/incident phase investigating|identified|monitoring [INC-42]`. To resolve, use `/incident resolve`.",
        "impact" when words.Length != 1 || !(words[0].Equals("start", StringComparison.OrdinalIgnoreCase) || words[0].Equals("end", StringComparison.OrdinalIgnoreCase)) =>
            "Usage: `/incident impact start|end [INC-42]`: when customers started, or stopped, being affected.",
        "note" when words.Length == 0 => "Usage: `/incident note [INC-42] &lt;text&gt;`, e.g. `/incident note Rolled back to v41`.",
        "status" when words.Length == 0 => "Usage: `/incident status [INC-42] &lt;text&gt;`, e.g. `/incident status Mitigated by rollback; monitoring`.",
        "page" when words.Length == 0 =>
            "Usage: `/incident page [INC-42] &lt;service or @person&gt; [what you need]`, e.g. `/incident page payments-api Card auths failing`.",
        "resolve" or "summary" when words.Length > 0 =>
            $"Usage: `/incident {sub} [INC-42]`.",
        _ => null,
    };

    private const string RoleUsage =
        "Usage: `/incident role commander|scribe|comms [@person] [INC-42]`: without a person, you take the role.";

    private static string Example(string sub) => sub switch
    {
        "role" => "role commander",
        "sev" or "severity" => "sev 2",
        "phase" => "phase identified",
        "impact" => "impact start",
        _ => sub,
    };

    private static IncidentRole? RoleNamed(string word) => word.ToLowerInvariant() switch
    {
        "commander" => IncidentRole.Commander,
        "scribe" => IncidentRole.Scribe,
        "comms" => IncidentRole.Comms,
        _ => null,
    };

    private static int? ParseSeverity(string word)
    {
        var digits = word.StartsWith("sev", StringComparison.OrdinalIgnoreCase) ? word[3..] : word;
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var severity) ? severity : null;
    }

    private static string Name(IncidentRole role) => CoordinationService.Name(role);

    /// <summary>An Actor for someone named in a command: their Slack id from the mention or the config, else their Teams id.</summary>
    private static Actor? ActorFor((string Shown, User? User) chosen, string typed)
    {
        if (chosen.User is { } user)
        {
            if (user.SlackUserId is { } slackId)
            {
                return new Actor(SlackChatPlatform.PlatformName, slackId, user.DisplayName, user.Id);
            }
            return user.TeamsUserId is { } teamsId ? new Actor("teams", teamsId, user.DisplayName, user.Id) : null;
        }
        // Someone on Slack who is not in the config may still hold a role: they are named by their mention.
        if (MentionPattern().Match(typed) is { Success: true } mention)
        {
            var id = mention.Groups[1].Value;
            var label = mention.Groups[2].Success ? mention.Groups[2].Value : id;
            return new Actor(SlackChatPlatform.PlatformName, id, label, null);
        }
        return null;
    }

    private static SlackInboundResponse Reply(CoordinationOutcome outcome) => outcome switch
    {
        CoordinationOutcome.Done done => SlackInboundResponse.Ephemeral(SlackText.Escape(done.Message)),
        CoordinationOutcome.Refused refused => SlackInboundResponse.Ephemeral(SlackText.Escape(refused.Reason)),
        CoordinationOutcome.NotFound notFound => SlackInboundResponse.Ephemeral($"No incident room for {notFound.Reference}."),
        _ => throw new InvalidOperationException($"Unexpected coordination outcome {outcome.GetType().Name}."),
    };

    /// <summary><c>/incident page</c>: a new page whose responders join this incident (its channel, its timeline).</summary>
    private static async Task<SlackInboundResponse> PageIntoAsync(CommandContext context, IncidentRoom room, string arguments)
    {
        var text = arguments.Trim();
        var split = text.IndexOfAny([' ', '\t', '\n']);
        var targetText = split < 0 ? text : text[..split];
        var summary = split < 0 ? string.Empty : SlackText.ToPlain(text[(split + 1)..]).Trim();
        if (summary.Length == 0)
        {
            summary = (await context.Paging.GetAsync(room.IncidentNumber, context.Stopping))?.Summary ?? string.Empty;
        }

        PageTarget target;
        if (PersonOf(context.Model, targetText) is { } person)
        {
            if (person.User is null)
            {
                return SlackInboundResponse.Ephemeral(
                    $"{person.Shown} is not in the on-call config, so OnCallBot cannot page them. Page a service, or someone listed in the config.");
            }
            target = new PageTarget.Person(person.User.Id);
        }
        else
        {
            target = new PageTarget.ServiceNamed(SlackText.ToPlain(targetText));
        }
        var key = context.Command.TriggerId is { Length: > 0 } triggerId
            ? $"slack:{context.Command.TeamId}:{triggerId}"
            : $"slack:{context.Command.TeamId}:no-trigger:{Guid.NewGuid():N}";
        var outcome = await context.Paging.PageAsync(new PageRequest(target, summary, context.Actor, key, room.IncidentNumber), context.Stopping);
        return outcome switch
        {
            PageOutcome.Paged paged => SlackInboundResponse.Ephemeral(
                $"📟 Paging {SlackText.Escape(paged.Service?.Name ?? LabelOf(paged.Incident, context.Model))} into {room.Reference} as {paged.Incident.Reference}: "
                + (paged.FirstLevel is { People.Count: > 0 } first
                    ? $"notifying {string.Join(", ", first.People.Select(p => SlackText.Escape(p.DisplayName)))}; whoever answers joins this incident's channel."
                    : "nobody is on call at any level right now; the owning team is told as the escalation runs out.")),
            PageOutcome.AlreadyPaged already => SlackInboundResponse.Ephemeral(
                $"{already.Incident.Reference} was already opened for this command; nobody was paged twice."),
            PageOutcome.UnknownService unknown => SlackInboundResponse.Ephemeral(PagingReplies.UnknownService(SlackMarkup.Instance, unknown, context.Model)),
            PageOutcome.UnknownUser unknownUser => SlackInboundResponse.Ephemeral(PagingReplies.UnknownUser(SlackMarkup.Instance, unknownUser.Name)),
            PageOutcome.MissingSummary => SlackInboundResponse.Ephemeral("Say what you need after the service or person: `/incident page payments-api Card auths failing`."),
            _ => throw new InvalidOperationException($"Unexpected page outcome {outcome.GetType().Name}."),
        };
    }

    /// <summary>
    /// What a bare <c>/ack</c> or <c>/resolve</c> means in an incident's channel: the channel's incident, except that
    /// an acknowledge goes to the one page of this incident (it or a team pulled into it) that is paging the person.
    /// </summary>
    private static async Task<long> ChannelIncidentAsync(CommandContext context, IncidentRoom room, string actionId)
    {
        if (actionId != SlackPagingActions.Acknowledge)
        {
            return room.IncidentNumber;
        }
        var paging = (await ImpliedIncidentsAsync(context))
            .Where(i => i.Number == room.IncidentNumber || room.LinkedIncidents.Contains(i.Number))
            .ToList();
        return paging.Count == 1 ? paging[0].Number : room.IncidentNumber;
    }

    /// <summary>Why <paramref name="actor"/> may not resolve the incident, or null when they may (or coordination is off).</summary>
    private static Task<string?> ResolveRefusalAsync(CoordinationService? coordination, long number, Actor actor, CancellationToken cancellationToken) =>
        PagingActions.ResolveRefusalAsync(coordination, number, actor, cancellationToken);

    /// <summary>An incident id written out (<c>INC-42</c>, any case), or null; bare numbers are arguments, not ids.</summary>
    internal static long? ReferenceIn(string word) => PagingCommandText.ReferenceIn(word);

    /// <summary>A role button on the card: the clicker takes the role; a refusal is told to them alone.</summary>
    private async Task<bool> ClickRoleAsync(IServiceProvider services, SlackInteraction interaction, string actionId, IncidentRole role, long number, CancellationToken stopping)
    {
        if (services.GetService<CoordinationService>() is not { } coordination)
        {
            return await FollowUpAsync(services, interaction, actionId, CoordinationOff, stopping);
        }
        var actor = ActorOf(services.GetRequiredService<IOnCallModelProvider>().Current, interaction.UserId, interaction.UserName);
        var outcome = await coordination.AssignRoleAsync(number, role, null, actor, stopping);
        Log.RoleActionHandled(_logger, actionId, number, interaction.UserId, outcome.GetType().Name);
        // A role taken shows on the card and in the channel's announcement; only a refusal needs saying.
        var followUp = outcome switch
        {
            CoordinationOutcome.Refused refused => SlackText.Escape(refused.Reason),
            CoordinationOutcome.NotFound notFound => $"No incident room for {notFound.Reference}.",
            _ => null,
        };
        return followUp is null || await FollowUpAsync(services, interaction, actionId, followUp, stopping);
    }

    [GeneratedRegex(@"^<@([UW][A-Z0-9]{2,31})(?:\|([^>]*))?>$")]
    private static partial Regex MentionPattern();
}
