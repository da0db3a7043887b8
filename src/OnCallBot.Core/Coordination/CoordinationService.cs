using System.Globalization;
using System.Text;
using NodaTime;
using NodaTime.Text;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;

namespace OnCallBot.Core.Coordination;

/// <summary>
/// Turns each incident into a control surface: a channel per incident with its responders, a card kept
/// current, commander/scribe/comms roles, severity, phase, notes, customer impact, status updates with
/// reminders, and a summary at resolution. Once for every platform; platforms render and deliver.
/// </summary>
/// <remarks>
/// It follows the paging flow as an <see cref="IIncidentObserver"/> (open on page, invite whoever is notified,
/// first acknowledger commands, summary on resolve) and takes commands from people. Resolving and paging
/// more teams go through <see cref="PagingService"/>; <see cref="AuthorizeResolveAsync"/> says who may resolve.
/// Nothing here calls a platform while a page or a command waits: what the platforms must be told (a channel, an
/// invite, the topic, the card, a post) goes to the <see cref="Outbox"/>, in its cosmetic lane, and is carried out
/// by <see cref="DeliverAsync"/> (cards and topics rendered from the store as they are sent, so only the latest
/// state goes out however often it changed).
/// </remarks>
public sealed partial class CoordinationService : IIncidentObserver
{
    private const int MaxConcurrentUpdateRetries = 5;
    private const int MaxChannelNameAttempts = 5;

    private static readonly ZonedDateTimePattern UtcTime =
        ZonedDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd HH':'mm 'UTC'", DateTimeZoneProviders.Tzdb);

    private readonly ICoordinationStore _rooms;
    private readonly IIncidentStore _incidents;
    private readonly ICoordinationScheduler _scheduler;
    private readonly List<IIncidentChannels> _platforms;
    private readonly OnCallResolver _resolver;
    private readonly IOnCallModelProvider _models;
    private readonly TimeProvider _time;
    private readonly CoordinationOptions _options;
    private readonly Outbox _outbox;

    public CoordinationService(
        ICoordinationStore rooms,
        IIncidentStore incidents,
        ICoordinationScheduler scheduler,
        IEnumerable<IIncidentChannels> platforms,
        OnCallResolver resolver,
        IOnCallModelProvider models,
        TimeProvider time,
        CoordinationOptions options,
        Outbox outbox)
    {
        ArgumentNullException.ThrowIfNull(rooms);
        ArgumentNullException.ThrowIfNull(incidents);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(platforms);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(outbox);
        _outbox = outbox;
        _rooms = rooms;
        _incidents = incidents;
        _scheduler = scheduler;
        // A platform that is not configured takes no part: no channel, no failure on every incident's timeline.
        _platforms = platforms.Where(p => p.IsEnabled).ToList();
        _resolver = resolver;
        _models = models;
        _time = time;
        _options = options;
    }

    private Instant Now => Instant.FromDateTimeOffset(_time.GetUtcNow());

    // ---- Following the paging flow -------------------------------------------------------------------------

    /// <summary>Opens the incident's room (its channels, card, runbook, reminder), or joins a pulled-in page to its parent's.</summary>
    public async Task OnCreatedAsync(Incident incident, PageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(request);
        if (request.JoinIncident is { } parent)
        {
            await LinkAsync(parent, incident, request.Pager, cancellationToken);
            return;
        }
        await OpenAsync(incident, request.Pager, cancellationToken);
    }

    /// <summary>Whoever is notified joins the incident's channel (or the channel of the incident they were paged into).</summary>
    public async Task OnNotifiedAsync(Incident incident, User person, string platform, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(person);
        var actor = new Actor(platform, PlatformIdOf(person, platform) ?? person.Id, person.DisplayName, person.Id);
        await AddResponderAsync(incident.Number, actor, $"{person.DisplayName} was paged", cancellationToken);
    }

    /// <summary>The acknowledger joins the channel and, when nobody commands yet (and that is configured), becomes commander.</summary>
    public async Task OnAcknowledgedAsync(Incident incident, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(actor);
        var room = await RoomOfAsync(incident.Number, cancellationToken);
        if (room is null)
        {
            return;
        }
        var linked = room.IncidentNumber != incident.Number;
        await ChangeAsync(room.IncidentNumber, (current, _, now) =>
        {
            var updated = current.WithResponder(actor);
            var events = new List<IncidentEvent>();
            var announcement = linked ? $"{actor.DisplayName} acknowledged {incident.Reference}" : null;
            if (!linked && _options.CommanderOnFirstAcknowledge && current.Commander is null)
            {
                updated = updated.WithRole(IncidentRole.Commander, new RoleHolder(actor, now));
                events.Add(Event(current, now, IncidentEventKind.RoleAssigned, actor.DisplayName,
                    $"{actor.DisplayName} is commander (first to acknowledge)", actor));
                announcement = $"{actor.DisplayName} acknowledged and is now *commander*.";
            }
            return Decision.Apply(updated, events, announcement, invite: [actor]);
        }, cancellationToken);
    }

    /// <summary>Closes the room: phase resolved, impact ended, reminders stopped, summary posted, channel archived later.</summary>
    public async Task OnResolvedAsync(Incident incident, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(actor);
        var room = await RoomOfAsync(incident.Number, cancellationToken);
        if (room is null)
        {
            return;
        }
        if (room.IncidentNumber != incident.Number)
        {
            await ChangeAsync(room.IncidentNumber, (current, _, _) =>
                Decision.Apply(current, [], $"{actor.DisplayName} resolved {incident.Reference} (pulled into this incident)."), cancellationToken);
            return;
        }

        var closed = await ChangeAsync(room.IncidentNumber, (current, _, now) =>
        {
            var events = new List<IncidentEvent>();
            var updated = current with { Phase = IncidentPhase.Resolved, NextStatusUpdateDueAt = null };
            if (current.ImpactStartedAt is not null && current.ImpactEndedAt is null)
            {
                updated = updated with { ImpactEndedAt = now };
                events.Add(Event(current, now, IncidentEventKind.ImpactEnded, actor.DisplayName, "Customer impact ended (at resolution)", actor));
            }
            if (current.Phase != IncidentPhase.Resolved)
            {
                events.Add(Event(current, now, IncidentEventKind.PhaseChanged, actor.DisplayName, $"Phase: {Name(current.Phase)} → resolved", actor));
            }
            return Decision.Apply(updated.WithResponder(actor), events, announcement: null);
        }, cancellationToken);
        if (closed is not CoordinationOutcome.Done done)
        {
            return;
        }
        await _scheduler.CancelStatusReminderAsync(incident.Number, cancellationToken);

        var summary = await SummaryAsync(incident.Number, cancellationToken) ?? "";
        foreach (var (platform, channel) in ChannelsOf(done.Room))
        {
            await EnqueuePostAsync(done.Room, platform, channel.ChannelId, "post the summary", summary, cancellationToken);
        }
        if (done.Room.Channels.Count > 0 && _options.ArchiveChannelAfter >= TimeSpan.Zero)
        {
            await _scheduler.ScheduleArchiveAsync(incident.Number, Now + Duration.FromTimeSpan(_options.ArchiveChannelAfter), cancellationToken);
        }
    }

    // ---- Commands ------------------------------------------------------------------------------------------

    /// <summary>
    /// Gives <paramref name="role"/> to <paramref name="person"/> (null: to <paramref name="by"/>). Taking a role (free or
    /// held) and giving one to someone else are for responders; being given a role makes that person one.
    /// </summary>
    public Task<CoordinationOutcome> AssignRoleAsync(long incidentNumber, IncidentRole role, Actor? person, Actor by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(by);
        var target = person ?? by;
        var self = IncidentRoom.SamePerson(target, by);
        return ChangeAsync(incidentNumber, (room, incident, now) =>
        {
            var current = room.Holder(role);
            if (!self && Refusal(room, by, $"give the {Name(role)} role to someone else", role) is { } refusal)
            {
                return Decision.Refuse(refusal);
            }
            // Taking a role, free or held, is for responders too: were a free role anyone's, a stranger could take
            // scribe, be a responder by it, and then take command or resolve: the hole "responders" must close.
            if (self && (current is null || !IncidentRoom.SamePerson(current.Person, by))
                && Refusal(room, by, current is null ? $"take the {Name(role)} role" : $"take the {Name(role)} role from {current.Person.DisplayName}", role) is { } takeover)
            {
                return Decision.Refuse(takeover);
            }
            if (incident.Status == IncidentStatus.Resolved)
            {
                return Decision.Refuse($"{room.Reference} is resolved; its roles are closed.");
            }
            if (current is not null && IncidentRoom.SamePerson(current.Person, target))
            {
                return Decision.Refuse($"{target.DisplayName} is already {Name(role)} of {room.Reference}.");
            }
            var text = current is null
                ? $"{target.DisplayName} is now {Name(role)}{(self ? "" : $" (assigned by {by.DisplayName})")}"
                : $"{Name(role)} handed over: {current.Person.DisplayName} → {target.DisplayName}{(self ? "" : $" (by {by.DisplayName})")}";
            var updated = room.WithRole(role, new RoleHolder(target, now)).WithResponder(target);
            return Decision.Apply(updated,
                [Event(room, now, IncidentEventKind.RoleAssigned, by.DisplayName, text, target)],
                announcement: text + ".", invite: [target], reply: text + ".");
        }, cancellationToken);
    }

    public Task<CoordinationOutcome> SetSeverityAsync(long incidentNumber, int severity, Actor by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(by);
        if (severity is < IncidentRoom.HighestSeverity or > IncidentRoom.LowestSeverity)
        {
            return Task.FromResult<CoordinationOutcome>(new CoordinationOutcome.Refused(
                $"Severity is 1 (worst) to 4: e.g. /incident sev 2."));
        }
        return ChangeAsync(incidentNumber, (room, incident, now) =>
        {
            if (Refusal(room, by, "change its severity") is { } refusal)
            {
                return Decision.Refuse(refusal);
            }
            if (room.Severity == severity)
            {
                return Decision.Refuse($"{room.Reference} is already SEV{severity}.");
            }
            var text = $"Severity: SEV{room.Severity} → SEV{severity}";
            var updated = room with { Severity = severity };
            if (incident.Status != IncidentStatus.Resolved)
            {
                // The update clock follows the new severity from the last update (or the start).
                var interval = _options.StatusUpdateInterval(severity);
                var since = room.LastStatusUpdateAt ?? incident.CreatedAt;
                updated = updated with { NextStatusUpdateDueAt = interval is { } i ? Instant.Max(now, since + Duration.FromTimeSpan(i)) : null };
            }
            return Decision.Apply(updated, [Event(room, now, IncidentEventKind.SeverityChanged, by.DisplayName, $"{text} (by {by.DisplayName})", by)],
                announcement: $"{text} (by {by.DisplayName}).", reply: text + ".", reschedule: true);
        }, cancellationToken);
    }

    public Task<CoordinationOutcome> SetPhaseAsync(long incidentNumber, IncidentPhase phase, Actor by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(by);
        return ChangeAsync(incidentNumber, (room, incident, now) =>
        {
            if (phase == IncidentPhase.Resolved || incident.Status == IncidentStatus.Resolved)
            {
                return Decision.Refuse(incident.Status == IncidentStatus.Resolved
                    ? $"{room.Reference} is resolved."
                    : "To resolve the incident use /incident resolve: it also stops paging and posts the summary.");
            }
            if (Refusal(room, by, "change its phase") is { } refusal)
            {
                return Decision.Refuse(refusal);
            }
            if (room.Phase == phase)
            {
                return Decision.Refuse($"{room.Reference} is already {Name(phase)}.");
            }
            var text = $"Phase: {Name(room.Phase)} → {Name(phase)}";
            return Decision.Apply(room with { Phase = phase },
                [Event(room, now, IncidentEventKind.PhaseChanged, by.DisplayName, $"{text} (by {by.DisplayName})", by)],
                announcement: $"{text} (by {by.DisplayName}).", reply: text + ".");
        }, cancellationToken);
    }

    /// <summary>A decision or finding, on the timeline and in the channel. Open to anyone.</summary>
    public Task<CoordinationOutcome> AddNoteAsync(long incidentNumber, string text, Actor by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(by);
        var note = text?.Trim() ?? "";
        if (note.Length == 0)
        {
            return Task.FromResult<CoordinationOutcome>(new CoordinationOutcome.Refused("Write the note after the command: /incident note Rolled back to v41."));
        }
        return ChangeAsync(incidentNumber, (room, _, now) =>
            Decision.Apply(room, [Event(room, now, IncidentEventKind.Note, by.DisplayName, $"{by.DisplayName}: {note}", by)],
                announcement: $"📝 {by.DisplayName}: {note}", reply: $"Noted on {room.Reference}'s timeline."), cancellationToken);
    }

    /// <summary>Marks when customers started (or stopped) being affected. For responders.</summary>
    public Task<CoordinationOutcome> SetImpactAsync(long incidentNumber, bool started, Actor by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(by);
        return ChangeAsync(incidentNumber, (room, _, now) =>
        {
            if (Refusal(room, by, "mark its customer impact") is { } refusal)
            {
                return Decision.Refuse(refusal);
            }
            if (started)
            {
                if (room.ImpactStartedAt is { } since && room.ImpactEndedAt is null)
                {
                    return Decision.Refuse($"Customer impact on {room.Reference} is already marked as started at {UtcTime.Format(since.InUtc())}.");
                }
                var text = "Customer impact started";
                return Decision.Apply(room with { ImpactStartedAt = now, ImpactEndedAt = null },
                    [Event(room, now, IncidentEventKind.ImpactStarted, by.DisplayName, $"{text} (marked by {by.DisplayName})", by)],
                    announcement: $"⚠️ {text} (marked by {by.DisplayName}).", reply: text + ".");
            }
            if (room.ImpactStartedAt is not { } start || room.ImpactEndedAt is not null)
            {
                return Decision.Refuse($"Customer impact on {room.Reference} is not marked as started: /incident impact start first.");
            }
            var ended = $"Customer impact ended after {PagingService.Describe(now - start)}";
            return Decision.Apply(room with { ImpactEndedAt = now },
                [Event(room, now, IncidentEventKind.ImpactEnded, by.DisplayName, $"{ended} (marked by {by.DisplayName})", by)],
                announcement: $"✅ {ended} (marked by {by.DisplayName}).", reply: ended + ".");
        }, cancellationToken);
    }

    /// <summary>
    /// A status update: posted in the incident channel and the stakeholder channel for its severity; resets the
    /// reminder. For responders: it speaks for the incident to people outside it.
    /// </summary>
    public async Task<CoordinationOutcome> PostStatusAsync(long incidentNumber, string text, Actor by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(by);
        var update = text?.Trim() ?? "";
        if (update.Length == 0)
        {
            return new CoordinationOutcome.Refused("Write the update after the command: /incident status Mitigated by rollback; monitoring.");
        }
        Incident? incidentSeen = null;
        var outcome = await ChangeAsync(incidentNumber, (room, incident, now) =>
        {
            if (Refusal(room, by, "post its status updates") is { } refusal)
            {
                return Decision.Refuse(refusal);
            }
            incidentSeen = incident;
            var interval = incident.Status == IncidentStatus.Resolved ? null : _options.StatusUpdateInterval(room.Severity);
            return Decision.Apply(
                room with { LastStatusUpdateAt = now, NextStatusUpdateDueAt = interval is { } i ? now + Duration.FromTimeSpan(i) : null },
                [Event(room, now, IncidentEventKind.StatusUpdate, by.DisplayName, $"Status update by {by.DisplayName}: {update}", by)],
                announcement: null, reschedule: true, reply: $"Status update posted for {room.Reference}.");
        }, cancellationToken);
        if (outcome is CoordinationOutcome.Done done && incidentSeen is { } seen)
        {
            var message = $"*Status update, {done.Room.Reference} (SEV{done.Room.Severity}, {Name(done.Room.Phase)})*: {seen.Summary}\n{update}\n_by {by.DisplayName}_";
            var posted = new List<string>();
            foreach (var (platform, channel) in ChannelsOf(done.Room))
            {
                await EnqueuePostAsync(done.Room, platform, channel.ChannelId, "post the status update", message, cancellationToken);
                posted.Add($"#{channel.Name}");
            }
            foreach (var platform in _platforms)
            {
                if (_options.StakeholderChannel(done.Room.Severity, platform.Name) is { } stakeholders)
                {
                    await EnqueuePostAsync(done.Room, platform, stakeholders, "post the status update to the stakeholder channel", message, cancellationToken);
                    posted.Add($"the SEV{done.Room.Severity} stakeholder channel on {platform.Name}");
                }
            }
            return done with { Message = posted.Count == 0 ? done.Message + " (on the timeline only: there is no channel to post it in)" : $"Status update posted in {string.Join(" and ", posted)}." };
        }
        return outcome;
    }

    /// <summary>Null when <paramref name="actor"/> may resolve the incident; else why not (for /resolve and the Resolve button).</summary>
    public async Task<string?> AuthorizeResolveAsync(long incidentNumber, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var room = await RoomOfAsync(incidentNumber, cancellationToken);
        return room is null ? null : Refusal(room, actor, "resolve it");
    }

    /// <summary>The room whose channel this is, so commands typed in an incident channel need no id.</summary>
    public Task<IncidentRoom?> FindByChannelAsync(string platform, string channelId, CancellationToken cancellationToken) =>
        _rooms.FindByChannelAsync(platform, channelId, cancellationToken);

    public Task<IncidentRoom?> GetRoomAsync(long incidentNumber, CancellationToken cancellationToken) => RoomOfAsync(incidentNumber, cancellationToken);

    // ---- Scheduled work ------------------------------------------------------------------------------------

    /// <summary>A status update is due: remind comms (or the commander, or the channel), show it overdue, and remind again later.</summary>
    public async Task RunStatusReminderAsync(long incidentNumber, CancellationToken cancellationToken)
    {
        var room = await _rooms.GetAsync(incidentNumber, cancellationToken);
        var incident = await _incidents.GetAsync(incidentNumber, cancellationToken);
        if (room is null || incident is null || incident.Status == IncidentStatus.Resolved
            || room.NextStatusUpdateDueAt is not { } due || due > Now)
        {
            return;
        }
        var interval = _options.StatusUpdateInterval(room.Severity);
        var who = room.Comms ?? room.Commander;
        var since = room.LastStatusUpdateAt is { } last ? $"the last one was {PagingService.Describe(Now - last)} ago" : "none has been posted yet";
        var text = $"A status update for {room.Reference} ({incident.Summary}, SEV{room.Severity}) is due: {since}. Post one with /incident status <text>.";

        var outcome = await ChangeAsync(incidentNumber, (current, _, now) =>
            Decision.Apply(current with { NextStatusUpdateDueAt = interval is { } i ? now + Duration.FromTimeSpan(i) : null },
                [Event(current, now, IncidentEventKind.StatusReminder, Actor.System.DisplayName,
                    $"Status update due: reminded {(who is null ? "the channel (no comms or commander)" : $"{who.Person.DisplayName} ({(current.Comms is null ? "commander" : "comms")})")}", null)],
                announcement: who is null ? "⏰ " + text : null, reschedule: true), cancellationToken);
        if (outcome is CoordinationOutcome.Done && who is not null)
        {
            // On the platform they hold the role from; a person from the config can be reached on another one too.
            var platform = _platforms.FirstOrDefault(p => p.Name == who.Person.Platform)
                ?? (who.Person.UserId is not null ? _platforms.FirstOrDefault() : null);
            if (platform is not null)
            {
                await EnqueueAsync(room, platform, ChannelWork.Remind, null, null, ChannelWork.Write(new ChannelWork.Reminder(who.Person, text)), cancellationToken);
            }
        }
    }

    /// <summary>Archives the incident's channels (after the configured time since resolution).</summary>
    public async Task ArchiveChannelsAsync(long incidentNumber, CancellationToken cancellationToken)
    {
        var room = await _rooms.GetAsync(incidentNumber, cancellationToken);
        var incident = await _incidents.GetAsync(incidentNumber, cancellationToken);
        if (room is null || incident is null || incident.Status != IncidentStatus.Resolved)
        {
            return;
        }
        foreach (var (platform, channel) in ChannelsOf(room))
        {
            await EnqueueAsync(room, platform, ChannelWork.Archive, channel.ChannelId, null, "", cancellationToken);
        }
    }

    // ---- Summary -------------------------------------------------------------------------------------------

    /// <summary>The incident as Markdown: a postmortem's starting point. Null when there is no such incident.</summary>
    public async Task<string?> SummaryAsync(long incidentNumber, CancellationToken cancellationToken)
    {
        var incident = await _incidents.GetAsync(incidentNumber, cancellationToken);
        if (incident is null)
        {
            return null;
        }
        var room = await _rooms.GetAsync(incidentNumber, cancellationToken);
        var events = (await _incidents.GetEventsAsync(incidentNumber, cancellationToken)).ToList();
        foreach (var linked in room?.LinkedIncidents ?? [])
        {
            events.AddRange(await _incidents.GetEventsAsync(linked, cancellationToken));
        }
        events = events.OrderBy(e => e.At).ToList();
        var model = _models.Current;
        var service = incident.ServiceId is { } id ? model.Services.GetValueOrDefault(id) : null;
        var end = incident.ResolvedAt ?? Now;

        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# {incident.Reference}: {OneLine(incident.Summary)}");
        md.AppendLine();
        if (service is not null)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- **Service:** {OneLine(service.Name)} (owner: {OneLine(model.FindTeam(service.OwnerTeamId)?.Name ?? service.OwnerTeamId)})");
        }
        if (room is not null)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- **Severity:** SEV{room.Severity}; **phase:** {Name(room.Phase)}");
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"- **Paged:** {UtcTime.Format(incident.CreatedAt.InUtc())} by {OneLine(incident.CreatedBy.DisplayName)}");
        md.AppendLine(incident.AcknowledgedAt is { } acked
            ? $"- **Time to acknowledge:** {PagingService.Describe(acked - incident.CreatedAt)} ({OneLine(incident.AcknowledgedBy?.DisplayName ?? "")})"
            : "- **Time to acknowledge:** never acknowledged");
        md.AppendLine(incident.ResolvedAt is { } resolved
            ? $"- **Resolved:** {UtcTime.Format(resolved.InUtc())} by {OneLine(incident.ResolvedBy?.DisplayName ?? "")}; **duration:** {PagingService.Describe(resolved - incident.CreatedAt)}"
            : $"- **Open for:** {PagingService.Describe(end - incident.CreatedAt)} so far");
        if (room?.ImpactStartedAt is { } impact)
        {
            var impactEnd = room.ImpactEndedAt ?? end;
            md.AppendLine(CultureInfo.InvariantCulture,
                $"- **Customer impact:** {UtcTime.Format(impact.InUtc())} to {(room.ImpactEndedAt is null ? "now" : UtcTime.Format(impactEnd.InUtc()))} ({PagingService.Describe(impactEnd - impact)})");
        }

        md.AppendLine().AppendLine("## Roles");
        var roleEvents = events.Where(e => e.Kind == IncidentEventKind.RoleAssigned).ToList();
        foreach (var role in Enum.GetValues<IncidentRole>())
        {
            var holder = room?.Holder(role);
            md.AppendLine(CultureInfo.InvariantCulture, $"- **{Capitalized(Name(role))}:** {(holder is null ? "unfilled" : OneLine(holder.Person.DisplayName))}");
        }
        foreach (var handover in roleEvents)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"  - {Time(handover.At)} {OneLine(handover.Text)}");
        }

        AppendSection(md, "Pages and escalations", events.Where(e => e.Kind is IncidentEventKind.Notified or IncidentEventKind.Missed
            or IncidentEventKind.Escalated or IncidentEventKind.LevelSkipped or IncidentEventKind.Repeated or IncidentEventKind.Exhausted
            or IncidentEventKind.NotificationFailed or IncidentEventKind.Acknowledged or IncidentEventKind.TeamPulledIn));
        AppendSection(md, "Timeline", events.Where(e => e.Kind is IncidentEventKind.Created or IncidentEventKind.Note
            or IncidentEventKind.StatusUpdate or IncidentEventKind.SeverityChanged or IncidentEventKind.PhaseChanged
            or IncidentEventKind.ImpactStarted or IncidentEventKind.ImpactEnded or IncidentEventKind.Resolved));
        return md.ToString();

        static string Time(Instant at) => UtcTime.Format(at.InUtc());

        static void AppendSection(StringBuilder md, string title, IEnumerable<IncidentEvent> lines)
        {
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## {title}");
            var any = false;
            foreach (var line in lines)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {Time(line.At)} {OneLine(line.Text)}");
                any = true;
            }
            if (!any)
            {
                md.AppendLine("- (none)");
            }
        }
    }

    // ---- The card ------------------------------------------------------------------------------------------

    /// <summary>What the card shows now, with who is on call right now for each dependency.</summary>
    public async Task<IncidentCard> CardAsync(Incident incident, IncidentRoom room, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(room);
        var model = _models.Current;
        var now = Now;
        var service = incident.ServiceId is { } id ? model.Services.GetValueOrDefault(id) : null;
        var team = service is not null ? model.FindTeam(service.OwnerTeamId) : null;
        var upstream = new List<DependencyOnCall>();
        var downstream = new List<DependencyOnCall>();
        if (service is not null)
        {
            foreach (var dependency in model.Upstream(service.Id))
            {
                upstream.Add(new DependencyOnCall(dependency, await OnCallNowAsync(model, dependency, now, cancellationToken)));
            }
            foreach (var dependent in model.Downstream(service.Id))
            {
                downstream.Add(new DependencyOnCall(dependent, await OnCallNowAsync(model, dependent, now, cancellationToken)));
            }
        }
        return new IncidentCard(incident, room, service, team, upstream, downstream, now, IsOverdue(incident, room, now));
    }

    private bool IsOverdue(Incident incident, IncidentRoom room, Instant now) =>
        incident.Status != IncidentStatus.Resolved
        && _options.StatusUpdateInterval(room.Severity) is { } interval
        && now >= (room.LastStatusUpdateAt ?? incident.CreatedAt) + Duration.FromTimeSpan(interval);

    private async Task<IReadOnlyList<User>> OnCallNowAsync(OnCallModel model, Service service, Instant now, CancellationToken cancellationToken) =>
        (await _resolver.ForServiceAsync(model, service, now, cancellationToken)).FirstReached?.People ?? [];

    /// <summary>The channel topic: what someone joining needs first.</summary>
    public static string Topic(Incident incident, IncidentRoom room)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(room);
        return $"{room.Reference} SEV{room.Severity} | {Capitalized(Name(room.Phase))} | Commander: {room.Commander?.Person.DisplayName ?? "unfilled"} | {incident.Summary}";
    }

    // ---- Machinery -----------------------------------------------------------------------------------------

    /// <summary>Saves the room (cheap, inline with the page); the channels are opened by a scheduled job.</summary>
    private async Task OpenAsync(Incident incident, Actor pager, CancellationToken cancellationToken)
    {
        var interval = _options.StatusUpdateInterval(_options.DefaultSeverity);
        var room = new IncidentRoom(incident.Number, _options.DefaultSeverity, IncidentPhase.Investigating, null, null, null,
            [], [pager], [], null, null, null, interval is { } i ? Now + Duration.FromTimeSpan(i) : null, Version: 1);
        if (!await _rooms.TryCreateAsync(room, [], cancellationToken))
        {
            return;
        }
        if (room.NextStatusUpdateDueAt is { } due)
        {
            await _scheduler.ScheduleStatusReminderAsync(incident.Number, due, cancellationToken);
        }
        if (_options.OpenChannels)
        {
            // Straight to the outbox (cosmetic lane), durable with the room: no scheduler round trip on the page's path.
            foreach (var platform in _platforms)
            {
                await EnqueueAsync(room, platform, ChannelWork.Open, null, ChannelWork.CoalesceKey(ChannelWork.Open, room, platform), "", cancellationToken);
            }
        }
    }

    /// <summary>
    /// Asks every platform that has no channel for the incident yet to open one (<see cref="ChannelWork.Open"/>, carried
    /// out by <see cref="DeliverAsync"/>): named from the summary (a taken name gets a suffix), with every responder
    /// so far invited, the topic, the runbook and the card. Safe to run again: a platform with a channel, or with an
    /// opening already waiting, is asked once.
    /// </summary>
    public async Task OpenChannelsAsync(long incidentNumber, CancellationToken cancellationToken)
    {
        var room = await _rooms.GetAsync(incidentNumber, cancellationToken);
        var incident = await _incidents.GetAsync(incidentNumber, cancellationToken);
        // Resolved before the job ran: a channel now would have nothing to coordinate, and the archiving that
        // resolution schedules only for rooms with channels would never come for it.
        if (room is null || incident is null || incident.Status == IncidentStatus.Resolved)
        {
            return;
        }
        foreach (var platform in _platforms.Where(p => room.ChannelOn(p.Name) is null))
        {
            await EnqueueAsync(room, platform, ChannelWork.Open, null, ChannelWork.CoalesceKey(ChannelWork.Open, room, platform), "", cancellationToken);
        }
    }

    private async Task LinkAsync(long parentNumber, Incident child, Actor pager, CancellationToken cancellationToken)
    {
        var model = _models.Current;
        var what = child.ServiceId is { } id && model.Services.GetValueOrDefault(id) is { } service
            ? $"{service.Name} ({model.FindTeam(service.OwnerTeamId)?.Name ?? service.OwnerTeamId})"
            : child.DirectUserId is { } userId ? model.FindUser(userId)?.DisplayName ?? userId : child.Reference;
        var linked = await ChangeAsync(parentNumber, (room, _, now) =>
            room.LinkedIncidents.Contains(child.Number)
                ? Decision.Refuse("already linked")
                : Decision.Apply(room with { LinkedIncidents = [.. room.LinkedIncidents, child.Number] },
                    [Event(room, now, IncidentEventKind.TeamPulledIn, pager.DisplayName, $"{pager.DisplayName} paged {what} into this incident as {child.Reference}", pager)],
                    announcement: $"{pager.DisplayName} is paging {what} into this incident ({child.Reference}); whoever answers joins this channel."), cancellationToken);
        if (linked is CoordinationOutcome.NotFound)
        {
            // No room to join (a mistyped or unknown incident): the page still needs somewhere to coordinate, so it
            // gets its own room rather than none at all.
            await OpenAsync(child, pager, cancellationToken);
        }
    }

    private async Task AddResponderAsync(long incidentNumber, Actor person, string why, CancellationToken cancellationToken)
    {
        var room = await RoomOfAsync(incidentNumber, cancellationToken);
        if (room is null || room.IsResponder(person) && room.Channels.Count == 0)
        {
            return;
        }
        await ChangeAsync(room.IncidentNumber, (current, _, now) =>
            current.IsResponder(person)
                ? Decision.Apply(current, [], announcement: null, invite: [person], refreshCard: false)
                : Decision.Apply(current.WithResponder(person),
                    [Event(current, now, IncidentEventKind.ResponderAdded, Actor.System.DisplayName, $"{person.DisplayName} joined the response ({why})", person)],
                    announcement: null, invite: [person], refreshCard: false), cancellationToken);
    }

    /// <summary>The room of an incident, or of the incident it was paged into.</summary>
    private async Task<IncidentRoom?> RoomOfAsync(long incidentNumber, CancellationToken cancellationToken) =>
        await _rooms.GetAsync(incidentNumber, cancellationToken)
        ?? await _rooms.FindByLinkedIncidentAsync(incidentNumber, cancellationToken);

    /// <summary>What a change decides for the room as it is now: a new version with its events, what to say, or a refusal.</summary>
    private sealed record Decision(
        IncidentRoom? Updated,
        IReadOnlyList<IncidentEvent> Events,
        string? Announcement,
        IReadOnlyList<Actor> Invite,
        string? Reply,
        bool Reschedule,
        bool RefreshCard,
        string? Refusal)
    {
        public static Decision Apply(IncidentRoom updated, IReadOnlyList<IncidentEvent> events, string? announcement,
            IReadOnlyList<Actor>? invite = null, string? reply = null, bool reschedule = false, bool refreshCard = true) =>
            new(updated, events, announcement, invite ?? [], reply, reschedule, refreshCard, null);

        public static Decision Refuse(string reason) => new(null, [], null, [], null, false, false, reason);
    }

    private async Task<CoordinationOutcome> ChangeAsync(long incidentNumber, Func<IncidentRoom, Incident, Instant, Decision> decide, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxConcurrentUpdateRetries; attempt++)
        {
            var room = await _rooms.GetAsync(incidentNumber, cancellationToken);
            var incident = await _incidents.GetAsync(incidentNumber, cancellationToken);
            if (room is null || incident is null)
            {
                return new CoordinationOutcome.NotFound(IncidentReference.Format(incidentNumber));
            }
            var decision = decide(room, incident, Now);
            if (decision.Refusal is { } reason)
            {
                return new CoordinationOutcome.Refused(reason);
            }
            var updated = decision.Updated! with { Version = room.Version + 1 };
            if (!await _rooms.TryUpdateAsync(updated, decision.Events, cancellationToken))
            {
                continue;
            }
            await AfterChangeAsync(room, updated, incident, decision, cancellationToken);
            return new CoordinationOutcome.Done(updated, decision.Reply ?? decision.Announcement ?? "Done.");
        }
        throw new InvalidOperationException($"{IncidentReference.Format(incidentNumber)} kept changing under this request; try again.");
    }

    /// <summary>Brings the outside world in line with a saved change: invites, the card, the topic, the reminder, the announcement.</summary>
    private async Task AfterChangeAsync(IncidentRoom before, IncidentRoom room, Incident incident, Decision decision, CancellationToken cancellationToken)
    {
        if (decision.Reschedule)
        {
            if (room.NextStatusUpdateDueAt is { } due)
            {
                await _scheduler.ScheduleStatusReminderAsync(room.IncidentNumber, due, cancellationToken);
            }
            else
            {
                await _scheduler.CancelStatusReminderAsync(room.IncidentNumber, cancellationToken);
            }
        }
        var topic = Topic(incident, room);
        var topicChanged = topic != Topic(incident, before) || before.Channels.Count != room.Channels.Count;
        foreach (var (platform, channel) in ChannelsOf(room))
        {
            if (decision.Invite.Count > 0)
            {
                await EnqueueAsync(room, platform, ChannelWork.Invite, channel.ChannelId, null, ChannelWork.Write(new ChannelWork.Invitation(decision.Invite)), cancellationToken);
            }
            if (topicChanged)
            {
                await EnqueueAsync(room, platform, ChannelWork.Topic, channel.ChannelId, ChannelWork.CoalesceKey(ChannelWork.Topic, room, platform), "", cancellationToken);
            }
            if (decision.RefreshCard && channel.CardMessageId is not null)
            {
                await EnqueueAsync(room, platform, ChannelWork.UpdateCard, channel.ChannelId, ChannelWork.CoalesceKey(ChannelWork.UpdateCard, room, platform), "", cancellationToken);
            }
            if (decision.Announcement is { } announcement)
            {
                await EnqueuePostAsync(room, platform, channel.ChannelId, "post in the incident channel", announcement, cancellationToken);
            }
        }
    }

    private IEnumerable<(IIncidentChannels Platform, IncidentChannel Channel)> ChannelsOf(IncidentRoom room) =>
        room.Channels.Select(c => (Platform: _platforms.FirstOrDefault(p => p.Name == c.Platform), Channel: c))
            .Where(x => x.Platform is not null)
            .Select(x => (x.Platform!, x.Channel));

    private async Task RecordFailureOnceAsync(IncidentRoom room, string text, CancellationToken cancellationToken)
    {
        var already = (await _incidents.GetEventsAsync(room.IncidentNumber, cancellationToken))
            .Any(e => e.Kind == IncidentEventKind.ChannelFailed && e.Text == text);
        if (!already)
        {
            await _incidents.AppendEventsAsync([Event(room, Now, IncidentEventKind.ChannelFailed, Actor.System.DisplayName, text, null)], cancellationToken);
        }
    }

    /// <summary>
    /// The one permission check, which every restricted command asks (severity, phase, resolve, status updates,
    /// customer impact, giving a role to someone else, taking a role someone holds): null when
    /// <paramref name="actor"/> may <paramref name="action"/> (<see cref="IncidentRoom.IsResponder"/>, or
    /// <c>RestrictedActions</c> is <c>anyone</c>), else one line saying how to become a responder.
    /// </summary>
    private string? Refusal(IncidentRoom room, Actor actor, string action, IncidentRole? role = null)
    {
        if (!_options.RestrictToResponders || room.IsResponder(actor))
        {
            return null;
        }
        var ask = room.Commander is { } commander ? $"Ask the commander, {commander.Person.DisplayName}, or another responder" : "Ask a responder";
        return $"Only responders of {room.Reference} may {action}. {ask} to add you with /incident role {(role is { } wanted ? Name(wanted) : "<role>")} @you.";
    }

    private string? PlatformIdOf(User person, string platform) =>
        _platforms.FirstOrDefault(p => p.Name == platform)?.PlatformUserIdOf(person);

    private static IncidentEvent Event(IncidentRoom room, Instant at, IncidentEventKind kind, string actorName, string text, Actor? about) =>
        new(room.IncidentNumber, at, kind, actorName, text, about?.UserId is { } id ? [id] : []);

    public static string Name(IncidentRole role) => role.ToString().ToLowerInvariant();

    public static string Name(IncidentPhase phase) => phase.ToString().ToLowerInvariant();

    /// <summary>
    /// Text people typed (a note, a status update, the summary, a name), as part of one line of the Markdown summary:
    /// its line breaks fold into " / ", so it never starts a line, and so can never add a heading, a list item or a
    /// quote that the summary did not write. The timeline keeps the text as it was typed.
    /// </summary>
    internal static string OneLine(string text) =>
        string.Join(" / ", text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
