using NodaTime;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Ports;
using OnCallBot.Core.Text;

namespace OnCallBot.Core.Paging;

/// <summary>
/// The paging flow, once for every chat platform: page, notify, escalate on timeout, acknowledge, resolve.
/// Every step is written to the incident's audit trail.
/// </summary>
/// <remarks>
/// Durability: an incident and its next escalation step (<see cref="EscalationState"/>) are in the store before
/// anyone is answered; the scheduler only wakes the flow up, and <see cref="RescheduleAllPendingAsync"/>
/// rebuilds its wake-ups from the store at start. A notification is claimed in the store before it is sent, so
/// a step run twice (after a crash) never notifies the same person twice: at most once per person and step,
/// and the next level still follows on timeout if a send was lost in a crash.
/// </remarks>
public sealed partial class PagingService
{
    private const int MaxConcurrentUpdateRetries = 5;

    private readonly IIncidentStore _store;
    private readonly IEscalationScheduler _scheduler;
    private readonly IReadOnlyList<IChatPlatform> _platforms;
    private readonly OnCallResolver _resolver;
    private readonly IOnCallModelProvider _models;
    private readonly TimeProvider _time;
    private readonly PagingOptions _options;
    private readonly IReadOnlyList<IIncidentObserver> _observers;
    private readonly Outbox _outbox;

    public PagingService(
        IIncidentStore store,
        IEscalationScheduler scheduler,
        IEnumerable<IChatPlatform> platforms,
        OnCallResolver resolver,
        IOnCallModelProvider models,
        TimeProvider time,
        PagingOptions options,
        Outbox outbox,
        IEnumerable<IIncidentObserver>? observers = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(platforms);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(outbox);
        _outbox = outbox;
        _store = store;
        _scheduler = scheduler;
        _platforms = platforms.ToList();
        _resolver = resolver;
        _models = models;
        _time = time;
        _options = options;
        _observers = observers?.ToList() ?? [];
    }

    private Instant Now => Instant.FromDateTimeOffset(_time.GetUtcNow());

    /// <summary>
    /// Opens an incident and starts escalation at once. Nothing is created for an unknown service or user or an
    /// empty summary. The incident and its first step are durable when this returns.
    /// </summary>
    public async Task<PageOutcome> PageAsync(PageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // A summary is the incident's one-line title everywhere it is shown (and logged): line breaks become spaces.
        var summary = UserText.SingleLine(request.Summary).Trim();
        if (summary.Length == 0)
        {
            return new PageOutcome.MissingSummary();
        }

        var model = _models.Current;
        Service? service = null;
        User? person = null;
        switch (request.Target)
        {
            case PageTarget.ServiceNamed named:
                service = model.FindService(named.NameOrAlias);
                if (service is null)
                {
                    return new PageOutcome.UnknownService(named.NameOrAlias, model.SuggestServices(named.NameOrAlias));
                }
                break;
            case PageTarget.Person p:
                person = model.FindUser(p.UserId);
                if (person is null)
                {
                    return new PageOutcome.UnknownUser(p.UserId);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request.Target, "Unknown page target.");
        }

        var now = Now;
        var draft = new Incident(0, summary, service?.Id, person?.Id, IncidentStatus.Triggered, now, request.Pager,
            null, null, null, null, EscalationState.Start(now), request.IdempotencyKey, Version: 1);
        var what = service is not null ? $"{service.Name} ({service.Id})" : person!.DisplayName;
        var created = new IncidentEvent(0, now, IncidentEventKind.Created, request.Pager.DisplayName,
            $"{request.Pager.DisplayName} paged {what}: {summary}", []);

        var (incident, isNew) = await _store.CreateAsync(draft, [created], cancellationToken);
        if (!isNew)
        {
            return new PageOutcome.AlreadyPaged(incident);
        }
        // Observers first: the first step may notify level 1 within milliseconds, and whoever it notifies must find
        // the incident's room (to be invited to its channel) already there.
        await TellObserversAsync(incident, "the page", o => o.OnCreatedAsync(incident, request, cancellationToken), cancellationToken);
        await _scheduler.ScheduleStepAsync(incident.Number, 0, now, cancellationToken);

        // A preview of who the first step reaches, for the reply to the pager; the step itself runs in the scheduler.
        var policy = PolicyFor(incident, model)!;
        var notes = new List<string>();
        LevelOnCall? first = null;
        for (var level = 0; level < policy.Levels.Count && first is null; level++)
        {
            var answer = await _resolver.ForLevelAsync(model, policy, level, now, cancellationToken);
            if (answer.IsGap)
            {
                notes.Add($"Level {level + 1} has nobody on call right now, so it is skipped.");
            }
            else
            {
                first = answer;
            }
        }
        return new PageOutcome.Paged(incident, service, first, notes);
    }

    /// <summary>
    /// Runs escalation step <paramref name="step"/> of an incident: records who missed the previous level,
    /// notifies the next level that has someone (gaps fall through at once), starts the policy over while
    /// repeats remain, and when none do, says so to the owning team. A stale or repeated wake-up does nothing.
    /// </summary>
    /// <remarks>
    /// A run holds the step's lease in the store from before its first send until its record is saved, so two
    /// wake-ups of one step (the start-up reconciler racing a misfire after a restart, a recovered job, two hosts)
    /// never run side by side: the second sends and writes nothing and comes back when the lease ends, by which time
    /// the first has saved the step and the second finds nothing to do. Only a run whose lease ran out (its host died)
    /// is ever taken over, and only then can a page's fate be unknown.
    /// </remarks>
    public async Task<EscalationStepOutcome> RunEscalationStepAsync(long incidentNumber, int step, CancellationToken cancellationToken)
    {
        if (!IsDue(await _store.GetAsync(incidentNumber, cancellationToken), step))
        {
            return new EscalationStepOutcome.NothingToDo();
        }
        var (lease, keeper) = await StepLeaseKeeper.TakeAsync(_store, _time, incidentNumber, step, Duration.FromTimeSpan(_options.StepLease), cancellationToken);
        if (keeper is null)
        {
            // Another run of this step is under way and writes its one record. Come back when its lease ends: by then
            // it has saved the step (and this wake-up finds nothing to do), or it died and its lease can be taken over.
            await _scheduler.ScheduleStepAsync(incidentNumber, step, lease.Until, cancellationToken);
            return new EscalationStepOutcome.Busy(lease.Until);
        }

        EscalationStepOutcome outcome;
        try
        {
            outcome = await RunHeldStepAsync(incidentNumber, step, lease, keeper, cancellationToken);
        }
        catch (StepLeaseLostException)
        {
            // Not ours to give back any more: the run that took it over finishes the step.
            await keeper.StopAsync();
            return new EscalationStepOutcome.Superseded();
        }
        catch
        {
            await keeper.StopAndReleaseQuietlyAsync(Now);
            throw;
        }
        await keeper.StopAndReleaseAsync(Now);
        return outcome;
    }

    private static bool IsDue(Incident? incident, int step) =>
        incident is { Status: IncidentStatus.Triggered, Escalation.NextStepDueAt: not null } && incident.Escalation.Step == step;

    private async Task<EscalationStepOutcome> RunHeldStepAsync(long incidentNumber, int step, StepLease lease, StepLeaseKeeper keeper, CancellationToken cancellationToken)
    {
        // What this call has sent so far and when the platform accepted it (null: refused), kept across its retries: a
        // retry after a lost race neither sends again nor writes those lines twice, and does not take a refused send
        // for one that got through.
        var sentByThisCall = new Dictionary<(string UserId, string Platform), Instant?>();
        for (var attempt = 0; attempt < MaxConcurrentUpdateRetries; attempt++)
        {
            // Read again under the lease: the run that held it before may have saved the step just now.
            var incident = await _store.GetAsync(incidentNumber, cancellationToken);
            if (!IsDue(incident, step))
            {
                return new EscalationStepOutcome.NothingToDo();
            }
            if (await TryRunStepAsync(incident!, lease, keeper, sentByThisCall, cancellationToken))
            {
                return new EscalationStepOutcome.Ran();
            }
        }
        throw new InvalidOperationException(
            $"{IncidentReference.Format(incidentNumber)}: escalation step {step} lost {MaxConcurrentUpdateRetries} races with other changes; it will run again when rescheduled.");
    }

    /// <summary>
    /// One attempt at a step. Every line of the step, the sends included, goes into <c>events</c> in the order it
    /// happened and is written with the new state, so the audit trail reads in order. Lines about messages actually
    /// sent are true whatever becomes of the state, so when the update loses a race they are written on their own.
    /// </summary>
    private async Task<bool> TryRunStepAsync(Incident incident, StepLease lease, StepLeaseKeeper keeper,
        Dictionary<(string UserId, string Platform), Instant?> sentByThisCall, CancellationToken cancellationToken)
    {
        var model = _models.Current;
        var now = Now;
        var state = incident.Escalation;
        var events = new List<IncidentEvent>();
        var deliveries = new List<IncidentEvent>();
        var policy = PolicyFor(incident, model);

        if (state.Step > 0 && !state.ManualPending)
        {
            // Only people whose page got through can have missed it; a refused send is already on the trail as such.
            var missed = (await _store.GetNotificationsAsync(incident.Number, cancellationToken))
                .Where(n => n.Step == state.Step - 1 && n.Message is not null)
                .Select(n => n.UserId)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            if (missed.Count > 0)
            {
                var timeout = policy is not null && state.Level < policy.Levels.Count ? policy.Levels[state.Level].AckTimeout : (Duration?)null;
                events.Add(Event(incident, Now, IncidentEventKind.Missed,
                    $"{Names(model, missed)} did not acknowledge{(timeout is { } t ? $" within {Describe(t)}" : "")} (level {state.Level + 1})",
                    missed, state.Level));
            }
        }

        int? notifiedLevel = null;
        var accepted = new List<Acceptance>();
        var (level, cycle) = state.Step == 0 ? (0, 0) : (state.Level + 1, state.Cycle);
        if (policy is null)
        {
            events.Add(Event(incident, Now, IncidentEventKind.LevelSkipped,
                "The service or its escalation policy is no longer in the on-call config: nobody can be paged for it", []));
        }
        else
        {
            // Each level at most once per step: at one instant, starting the policy over finds the same gaps and the
            // same unreachable people, and would re-visit claims already made in this step.
            for (var visited = 0; visited < policy.Levels.Count; visited++)
            {
                if (level >= policy.Levels.Count)
                {
                    if (cycle >= policy.Repeat)
                    {
                        break;
                    }
                    (level, cycle) = (0, cycle + 1);
                    events.Add(Event(incident, Now, IncidentEventKind.Repeated,
                        $"Nobody acknowledged after every level: starting over (round {cycle + 1} of {policy.Repeat + 1})", []));
                }

                var answer = await _resolver.ForLevelAsync(model, policy, level, now, cancellationToken);
                if (answer.IsGap)
                {
                    events.Add(Event(incident, Now, IncidentEventKind.LevelSkipped,
                        $"Level {level + 1} has nobody on call ({DescribeGap(answer)}): on to the next level at once", [], level));
                    level++;
                    continue;
                }
                if (state.Step > 0)
                {
                    events.Add(Event(incident, Now, IncidentEventKind.Escalated,
                        $"Escalated to level {level + 1}: {string.Join(", ", answer.People.Select(p => p.DisplayName))}",
                        answer.People.Select(p => p.Id).ToList(), level));
                }
                accepted.Clear();
                var reached = await NotifyLevelAsync(incident, model, state.Step, level, policy.Levels.Count, answer.People,
                    new LevelRecord(events, deliveries, accepted, sentByThisCall, lease, keeper), cancellationToken);
                if (reached > 0)
                {
                    notifiedLevel = level;
                    break;
                }
                events.Add(Event(incident, Now, IncidentEventKind.LevelSkipped,
                    $"Nobody at level {level + 1} could be reached on any chat platform: on to the next level at once", [], level));
                level++;
            }
        }

        EscalationState next;
        if (notifiedLevel is { } notified)
        {
            var due = AckWindowEnd(incident, now, policy!.Levels[notified].AckTimeout, accepted, events);
            next = new EscalationState(state.Step + 1, notified, cycle, due, Exhausted: false, ManualPending: false);
        }
        else
        {
            next = state with { Step = state.Step + 1, NextStepDueAt = null, Exhausted = true, ManualPending = false };
            events.Add(Event(incident, Now, IncidentEventKind.Exhausted, await ExhaustedTextAsync(incident, model, cancellationToken), []));
        }

        await keeper.EnsureHeldAsync(cancellationToken);
        var updated = incident with { Escalation = next, Version = incident.Version + 1 };
        if (!await _store.TryUpdateAsync(updated, events, cancellationToken))
        {
            if (deliveries.Count > 0)
            {
                await _store.AppendEventsAsync(deliveries, cancellationToken);
            }
            return false;
        }
        if (next.NextStepDueAt is { } nextDue)
        {
            await _scheduler.ScheduleStepAsync(incident.Number, next.Step, nextDue, cancellationToken);
        }
        else
        {
            await AnnounceExhaustedAsync(updated, model, events[^1].Text, cancellationToken);
        }
        return true;
    }

    /// <summary>When a chat platform accepted one person's page (the time to acknowledge counts from the last of a level's).</summary>
    private sealed record Acceptance(string Person, string Platform, Instant At);

    /// <summary>Where a level's notifications write what they did, and what they need to know of the run making them.</summary>
    private sealed record LevelRecord(
        List<IncidentEvent> Events,
        List<IncidentEvent> Deliveries,
        List<Acceptance> Accepted,
        Dictionary<(string UserId, string Platform), Instant?> SentByThisCall,
        StepLease Lease,
        StepLeaseKeeper Keeper);

    /// <summary>
    /// When the next step is due: the level's timeout after the last of its pages was accepted, never sooner than the
    /// timeout after the step began (<paramref name="stepStart"/>) and never later than that plus
    /// <see cref="PagingOptions.MaxDeliveryDelay"/>, so a slow platform delays escalation by a bounded amount and a
    /// stuck one cannot stop it. A delay worth reading (a second or more) goes on the timeline, with the time it sets.
    /// </summary>
    private Instant AckWindowEnd(Incident incident, Instant stepStart, Duration timeout, List<Acceptance> accepted, List<IncidentEvent> events)
    {
        var earliest = stepStart + timeout;
        if (accepted.Count == 0)
        {
            // Reached only through an earlier run's sends whose acceptance is unknown: count from the step, as ever.
            return earliest;
        }
        var last = accepted.MaxBy(a => a.At)!;
        var delay = last.At - stepStart;
        if (delay <= Duration.Zero)
        {
            return earliest;
        }
        var bound = Duration.FromTimeSpan(_options.MaxDeliveryDelay);
        var capped = delay > bound;
        var due = earliest + (capped ? bound : delay);
        if (delay >= Duration.FromSeconds(1))
        {
            var when = $"{last.Person}'s page was accepted by {last.Platform} {DescribePrecisely(delay)} after the step began";
            events.Add(Event(incident, Now, IncidentEventKind.DeliveryDelayed, capped
                ? $"{when}; the wait for an acknowledgement stretches by at most {DescribePrecisely(bound)} (Paging:MaxDeliveryDelay), so the next escalation step is due at {TimeOfDayPattern.Format(due)}"
                : $"{when}, and the {Describe(timeout)} to acknowledge count from then: the next escalation step is due at {TimeOfDayPattern.Format(due)}",
                [], null, last.Platform));
        }
        return due;
    }

    /// <summary>
    /// Notifies everyone at a level on every platform that can reach them; returns how many people were reached.
    /// Lines go to the record's events; those about sends made here go to its deliveries too, and each accepted page's
    /// time to its acceptances.
    /// </summary>
    private async Task<int> NotifyLevelAsync(Incident incident, OnCallModel model, int step, int level, int levelCount, IReadOnlyList<User> people,
        LevelRecord record, CancellationToken cancellationToken)
    {
        var (events, deliveries, accepted, sentByThisCall, lease, keeper) = record;
        var view = ViewOf(incident, model, level, levelCount);
        var reached = 0;
        foreach (var person in people)
        {
            var platforms = _platforms.Where(p => p.CanReach(person)).ToList();
            if (platforms.Count == 0)
            {
                events.Add(Event(incident, Now, IncidentEventKind.NotificationFailed,
                    $"{person.DisplayName} has no user id for any chat platform that is on ({string.Join(", ", _platforms.Select(p => p.Name).DefaultIfEmpty("none"))}): add one to the on-call config",
                    [person.Id], level));
                continue;
            }
            var personReached = false;
            foreach (var platform in platforms)
            {
                if (sentByThisCall.TryGetValue((person.Id, platform.Name), out var acceptedAt))
                {
                    // An earlier attempt of this call sent it and has written its line already.
                    if (acceptedAt is { } at)
                    {
                        personReached = true;
                        accepted.Add(new Acceptance(person.DisplayName, platform.Name, at));
                    }
                    continue;
                }
                await keeper.EnsureHeldAsync(cancellationToken);
                var claim = new Notification(incident.Number, step, level, person.Id, platform.Name, Now, null);
                if (!await _store.TryClaimNotificationAsync(claim, cancellationToken))
                {
                    // Claimed by an earlier run of this step that gave up its lease or lost it before saving the step
                    // (a failure, a shutdown, a crash): its lines were lost with it. Never send twice; say what the store knows.
                    var earlier = (await _store.GetNotificationsAsync(incident.Number, cancellationToken))
                        .First(n => n.Step == step && n.UserId == person.Id && n.Platform == platform.Name);
                    events.Add(EarlierRunLine(incident, person, platform.Name, level, earlier, lease));
                    if (earlier.Failure is null)
                    {
                        // Delivered, or unknown: it counts as reached either way, and the next level follows on timeout.
                        personReached = true;
                        if (earlier.DeliveredAt is { } at)
                        {
                            accepted.Add(new Acceptance(person.DisplayName, platform.Name, at));
                        }
                        if (earlier.Message is not null)
                        {
                            // That run may have stopped before telling the observers: paged is paged (a responder, invited
                            // to the incident's channel), and being told twice changes nothing.
                            await TellObserversAsync(incident, $"notifying {person.DisplayName}", o => o.OnNotifiedAsync(incident, person, platform.Name, cancellationToken), cancellationToken);
                        }
                    }
                    continue;
                }
                DeliveredMessage message;
                try
                {
                    message = await platform.SendPageAsync(person, view, cancellationToken);
                }
                catch (ChatDeliveryException ex)
                {
                    sentByThisCall[(person.Id, platform.Name)] = null;
                    var failed = Event(incident, Now, IncidentEventKind.NotificationFailed,
                        $"Could not notify {person.DisplayName} on {platform.Name}: {ex.Message}", [person.Id], level, platform.Name);
                    events.Add(failed);
                    deliveries.Add(failed);
                    await _store.SetNotificationFailedAsync(incident.Number, step, person.Id, platform.Name, ex.Message, cancellationToken);
                    continue;
                }
                var deliveredAt = Now;
                sentByThisCall[(person.Id, platform.Name)] = deliveredAt;
                accepted.Add(new Acceptance(person.DisplayName, platform.Name, deliveredAt));
                var line = Event(incident, deliveredAt, IncidentEventKind.Notified,
                    $"Notified {person.DisplayName} on {platform.Name} (level {level + 1})", [person.Id], level, platform.Name);
                events.Add(line);
                deliveries.Add(line);
                await _store.SetNotificationMessageAsync(incident.Number, step, person.Id, platform.Name, message, deliveredAt, cancellationToken);
                personReached = true;
                // An acknowledge (or resolve) that landed between sending and recording the message missed this copy
                // when it rewrote the others; bring it in line now rather than leave live buttons on a settled page.
                if (await _store.GetAsync(incident.Number, cancellationToken) is { Status: not IncidentStatus.Triggered } settled)
                {
                    await EnqueueRefreshAsync(settled, message, person.Id, level, cancellationToken);
                }
                await TellObserversAsync(incident, $"notifying {person.DisplayName}", o => o.OnNotifiedAsync(incident, person, platform.Name, cancellationToken), cancellationToken);
            }
            if (personReached)
            {
                reached++;
            }
        }
        return reached;
    }

    /// <summary>
    /// The line for a notification an earlier run of this step claimed, saying what really happened: sent, refused,
    /// or (only when that run stopped between claiming and recording the outcome) unknown.
    /// </summary>
    private IncidentEvent EarlierRunLine(Incident incident, User person, string platform, int level, Notification earlier, StepLease lease)
    {
        if (earlier.Message is not null)
        {
            return Event(incident, Now, IncidentEventKind.Notified,
                $"Notified {person.DisplayName} on {platform} (level {level + 1}), by an earlier run of this step", [person.Id], level, platform);
        }
        if (earlier.Failure is { } failure)
        {
            return Event(incident, Now, IncidentEventKind.NotificationFailed,
                $"Could not notify {person.DisplayName} on {platform}: {failure} (tried by an earlier run of this step)", [person.Id], level, platform);
        }
        var how = lease switch
        {
            { Earlier: EarlierStepRun.Expired, EarlierUntil: { } until } =>
                $"an earlier run of this step stopped while sending (its host went away or stalled; its lease ran out at {TimeOfDayPattern.Format(until)})",
            { Earlier: EarlierStepRun.Released } => "an earlier run of this step was interrupted while sending",
            _ => "an earlier run of this step stopped while sending",
        };
        return Event(incident, Now, IncidentEventKind.NotificationFailed,
            $"{person.DisplayName} may not have been notified on {platform} (level {level + 1}): {how}, and a page is never sent twice",
            [person.Id], level, platform);
    }

    /// <summary>Stops escalation: someone owns the incident now. Every page message is updated to say who and when.</summary>
    public Task<ActionOutcome> AcknowledgeAsync(long incidentNumber, Actor actor, CancellationToken cancellationToken) =>
        ChangeAsync(incidentNumber, actor, (incident, now) => incident.Status switch
        {
            IncidentStatus.Resolved => Decision.Refuse($"{incident.Reference} is already resolved (by {incident.ResolvedBy}); nothing to acknowledge."),
            IncidentStatus.Acknowledged => Decision.Refuse($"{incident.Reference} is already acknowledged by {incident.AcknowledgedBy}."),
            _ => Decision.Apply(incident with
            {
                Status = IncidentStatus.Acknowledged,
                AcknowledgedAt = now,
                AcknowledgedBy = actor,
                Escalation = incident.Escalation with { NextStepDueAt = null, ManualPending = false },
            }, Event(incident, now, IncidentEventKind.Acknowledged,
                $"{actor.DisplayName} acknowledged, {Describe(now - incident.CreatedAt)} after the page", UserIdsOf(actor))),
        }, cancellationToken);

    /// <summary>Closes the incident, acknowledged or not, and stops escalation.</summary>
    public Task<ActionOutcome> ResolveAsync(long incidentNumber, Actor actor, CancellationToken cancellationToken) =>
        ChangeAsync(incidentNumber, actor, (incident, now) => incident.Status switch
        {
            IncidentStatus.Resolved => Decision.Refuse($"{incident.Reference} is already resolved (by {incident.ResolvedBy})."),
            _ => Decision.Apply(incident with
            {
                Status = IncidentStatus.Resolved,
                ResolvedAt = now,
                ResolvedBy = actor,
                Escalation = incident.Escalation with { NextStepDueAt = null, ManualPending = false },
            }, Event(incident, now, IncidentEventKind.Resolved,
                $"{actor.DisplayName} resolved it, {Describe(now - incident.CreatedAt)} after the page", UserIdsOf(actor))),
        }, cancellationToken);

    /// <summary>Skips the rest of the current level's timeout and notifies the next level now.</summary>
    public Task<ActionOutcome> EscalateNowAsync(long incidentNumber, Actor actor, CancellationToken cancellationToken) =>
        ChangeAsync(incidentNumber, actor, (incident, now) => incident switch
        {
            { Status: IncidentStatus.Resolved } => Decision.Refuse($"{incident.Reference} is resolved; there is nobody left to escalate to."),
            { Status: IncidentStatus.Acknowledged } => Decision.Refuse($"{incident.Reference} is acknowledged by {incident.AcknowledgedBy}; escalation has stopped."),
            { Escalation.Exhausted: true } => Decision.Refuse($"{incident.Reference} has been through every level of its policy already; page someone directly with /page @person."),
            _ => Decision.Apply(incident with { Escalation = incident.Escalation with { NextStepDueAt = now, ManualPending = true } },
                Event(incident, now, IncidentEventKind.Escalated, $"{actor.DisplayName} asked to escalate now", UserIdsOf(actor)),
                rescheduleStep: incident.Escalation.Step),
        }, cancellationToken);

    /// <summary>Triggered incidents that notified this person: what a bare "ack" can mean.</summary>
    public async Task<IReadOnlyList<Incident>> FindIncidentsPagingAsync(Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return actor.UserId is null ? [] : await _store.GetTriggeredIncidentsNotifyingAsync(actor.UserId, cancellationToken);
    }

    public Task<Incident?> GetAsync(long incidentNumber, CancellationToken cancellationToken) => _store.GetAsync(incidentNumber, cancellationToken);

    /// <summary>The incident and its audit trail, oldest first; null when there is no such incident.</summary>
    public async Task<(Incident Incident, IReadOnlyList<IncidentEvent> Events)?> TimelineAsync(long incidentNumber, CancellationToken cancellationToken)
    {
        var incident = await _store.GetAsync(incidentNumber, cancellationToken);
        return incident is null ? null : (incident, await _store.GetEventsAsync(incidentNumber, cancellationToken));
    }

    /// <summary>Gives the scheduler back every pending escalation step in the store (at start, after a crash).</summary>
    public async Task<int> RescheduleAllPendingAsync(CancellationToken cancellationToken)
    {
        var pending = await _store.GetPendingEscalationsAsync(cancellationToken);
        foreach (var incident in pending)
        {
            await _scheduler.ScheduleStepAsync(incident.Number, incident.Escalation.Step, incident.Escalation.NextStepDueAt!.Value, cancellationToken);
        }
        return pending.Count;
    }

    /// <summary>
    /// Gives the scheduler back the pending steps that were due before <paramref name="dueBefore"/>, oldest first and at
    /// most <paramref name="limit"/>: steps a host that stopped had queued to run at once. The scheduler keeps any wake-up
    /// it already holds for them, and the step's lease keeps a step that is running from running twice.
    /// </summary>
    public async Task<int> RescheduleOverdueAsync(Instant dueBefore, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var overdue = (await _store.GetPendingEscalationsAsync(cancellationToken))
            .Where(i => i.Escalation.NextStepDueAt < dueBefore)
            .OrderBy(i => i.Escalation.NextStepDueAt)
            .Take(limit)
            .ToList();
        foreach (var incident in overdue)
        {
            await _scheduler.ScheduleStepAsync(incident.Number, incident.Escalation.Step, incident.Escalation.NextStepDueAt!.Value, cancellationToken);
        }
        return overdue.Count;
    }

    /// <summary>The page as a platform should show it now.</summary>
    public PageView ViewOf(Incident incident, int level)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var model = _models.Current;
        return ViewOf(incident, model, level, PolicyFor(incident, model)?.Levels.Count ?? 0);
    }

    /// <summary>What a state change decides for the incident as it is now: a new version with its event, or a refusal.</summary>
    private sealed record Decision(Incident? Updated, IncidentEvent? Event, int? RescheduleStep, string? Refusal)
    {
        public static Decision Apply(Incident updated, IncidentEvent evt, int? rescheduleStep = null) => new(updated, evt, rescheduleStep, null);

        public static Decision Refuse(string reason) => new(null, null, null, reason);
    }

    private async Task<ActionOutcome> ChangeAsync(long incidentNumber, Actor actor, Func<Incident, Instant, Decision> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        for (var attempt = 0; attempt < MaxConcurrentUpdateRetries; attempt++)
        {
            var incident = await _store.GetAsync(incidentNumber, cancellationToken);
            if (incident is null)
            {
                return new ActionOutcome.NotFound(IncidentReference.Format(incidentNumber));
            }
            var change = decide(incident, Now);
            if (change.Refusal is { } reason)
            {
                return new ActionOutcome.Refused(incident, reason);
            }
            var updated = change.Updated! with { Version = incident.Version + 1 };
            if (!await _store.TryUpdateAsync(updated, [change.Event!], cancellationToken))
            {
                continue;
            }
            if (change.RescheduleStep is { } step)
            {
                await _scheduler.ScheduleStepAsync(updated.Number, step, updated.Escalation.NextStepDueAt!.Value, cancellationToken);
            }
            else if (updated.Escalation.NextStepDueAt is null && incident.Escalation.NextStepDueAt is not null)
            {
                await _scheduler.CancelAsync(updated.Number, cancellationToken);
            }
            if (updated.Status != incident.Status)
            {
                await RefreshMessagesAsync(updated, cancellationToken);
                if (updated.Status == IncidentStatus.Acknowledged)
                {
                    await TellObserversAsync(updated, "the acknowledgement", o => o.OnAcknowledgedAsync(updated, actor, cancellationToken), cancellationToken);
                }
                else if (updated.Status == IncidentStatus.Resolved)
                {
                    await TellObserversAsync(updated, "the resolution", o => o.OnResolvedAsync(updated, actor, cancellationToken), cancellationToken);
                }
            }
            return new ActionOutcome.Done(updated);
        }
        throw new InvalidOperationException($"{IncidentReference.Format(incidentNumber)} kept changing under this request; try again.");
    }

    /// <summary>
    /// Tells every observer of a milestone that is already saved. An observer's failure (a chat outage while
    /// opening the incident channel, say) must not fail the page itself: it goes on the timeline instead.
    /// </summary>
    private async Task TellObserversAsync(Incident incident, string milestone, Func<IIncidentObserver, Task> tell, CancellationToken cancellationToken)
    {
        foreach (var observer in _observers)
        {
            try
            {
                await tell(observer);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await _store.AppendEventsAsync(
                    [Event(incident, Now, IncidentEventKind.NotificationFailed, $"Incident coordination failed after {milestone}: {ex.Message}", [])],
                    cancellationToken);
            }
        }
    }

    /// <summary>
    /// Has every page message of the incident rewritten to show its current state, through the outbox's update lane:
    /// the acknowledgement is saved and answered at once, and a message changed twice before it is rewritten is
    /// rewritten once, from the store (<see cref="DeliverAsync"/>).
    /// </summary>
    private async Task RefreshMessagesAsync(Incident incident, CancellationToken cancellationToken)
    {
        foreach (var notification in await _store.GetNotificationsAsync(incident.Number, cancellationToken))
        {
            if (notification.Message is { } message && _platforms.Any(p => p.Name == message.Platform))
            {
                await EnqueueRefreshAsync(incident, message, notification.UserId, notification.Level, cancellationToken);
            }
        }
    }

    private async Task<string> ExhaustedTextAsync(Incident incident, OnCallModel model, CancellationToken cancellationToken)
    {
        // Only pages that got through: a refused send did not page anyone.
        var paged = (await _store.GetNotificationsAsync(incident.Number, cancellationToken))
            .Where(n => n.Message is not null)
            .Select(n => n.UserId).Distinct(StringComparer.Ordinal).ToList();
        return paged.Count == 0
            ? $"Nobody could be paged for {incident.Reference} ({incident.Summary}): every level was empty or unreachable"
            : $"Nobody acknowledged {incident.Reference} ({incident.Summary}). Paged: {Names(model, paged)}";
    }

    private async Task AnnounceExhaustedAsync(Incident incident, OnCallModel model, string text, CancellationToken cancellationToken)
    {
        var team = incident.ServiceId is { } serviceId && model.Services.TryGetValue(serviceId, out var service)
            ? model.FindTeam(service.OwnerTeamId)
            : null;
        foreach (var platform in _platforms)
        {
            try
            {
                if (team is not null)
                {
                    if (!await platform.AnnounceAsync(team, text, cancellationToken) && platform.Name == incident.CreatedBy.Platform)
                    {
                        await platform.TellAsync(incident.CreatedBy, text + $" ({team.Name} has no {platform.Name} channel to tell.)", cancellationToken);
                    }
                }
                else if (platform.Name == incident.CreatedBy.Platform)
                {
                    await platform.TellAsync(incident.CreatedBy, text, cancellationToken);
                }
            }
            catch (ChatDeliveryException ex)
            {
                await RecordAsync(incident, IncidentEventKind.NotificationFailed,
                    $"Could not say on {platform.Name} that nobody acknowledged: {ex.Message}", [], null, platform.Name, cancellationToken);
            }
        }
    }

    private EscalationPolicy? PolicyFor(Incident incident, OnCallModel model)
    {
        if (incident.DirectUserId is { } userId)
        {
            return model.FindUser(userId) is null
                ? null
                : new EscalationPolicy($"direct:{userId}", "Direct page",
                    [new EscalationLevel([new EscalationTarget(EscalationTargetKind.User, userId)], Duration.FromTimeSpan(_options.DirectPageTimeout))],
                    _options.DirectPageRepeat);
        }
        return incident.ServiceId is { } serviceId
            && model.Services.TryGetValue(serviceId, out var service)
            && model.Policies.TryGetValue(service.EscalationPolicyId, out var policy)
                ? policy
                : null;
    }

    private static PageView ViewOf(Incident incident, OnCallModel model, int level, int levelCount)
    {
        var service = incident.ServiceId is { } id ? model.Services.GetValueOrDefault(id) : null;
        var team = service is not null ? model.FindTeam(service.OwnerTeamId) : null;
        return new PageView(incident, service, team, level, levelCount);
    }

    private async Task RecordAsync(Incident incident, IncidentEventKind kind, string text, IReadOnlyList<string> userIds, int? level, string? platform, CancellationToken cancellationToken) =>
        await _store.AppendEventsAsync([Event(incident, Now, kind, text, userIds, level, platform)], cancellationToken);

    private static IncidentEvent Event(Incident incident, Instant at, IncidentEventKind kind, string text, IReadOnlyList<string> userIds, int? level = null, string? platform = null) =>
        new(incident.Number, at, kind, Actor.System.DisplayName, text, userIds, level, platform);

    private static IReadOnlyList<string> UserIdsOf(Actor actor) => actor.UserId is { } id ? [id] : [];

    // Times in the schedule's own zone, as the people who run it read them ("until Mon 09:00 CET").
    private static readonly NodaTime.Text.ZonedDateTimePattern GapEndPattern =
        NodaTime.Text.ZonedDateTimePattern.CreateWithInvariantCulture("ddd uuuu'-'MM'-'dd HH':'mm x", DateTimeZoneProviders.Tzdb);

    private static string DescribeGap(LevelOnCall level) =>
        string.Join("; ", level.Targets.Select(t => t.Schedule is { Next: { } next } answer
            ? $"{t.Target} is empty until {GapEndPattern.Format(next.Start.InZone(answer.Schedule.TimeZone))}"
            : $"{t.Target} is empty"));

    private static string Names(OnCallModel model, IEnumerable<string> userIds) =>
        string.Join(", ", userIds.Select(id => model.FindUser(id)?.DisplayName ?? id));

    // When the next escalation step is due, to the second: the incident has no zone of its own, so UTC, said so.
    private static readonly NodaTime.Text.InstantPattern TimeOfDayPattern =
        NodaTime.Text.InstantPattern.CreateWithInvariantCulture("HH':'mm':'ss' UTC'");

    /// <summary>A delivery delay to a tenth of a second under a minute (2.3s), as <see cref="Describe"/> above it.</summary>
    private static string DescribePrecisely(Duration duration) =>
        duration < Duration.FromMinutes(1)
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Math.Floor(duration.TotalSeconds * 10) / 10:0.#}s")
            : Describe(duration);

    /// <summary>A duration the way people say it: 45s, 5m, 1h 20m, 2d 3h.</summary>
    public static string Describe(Duration duration)
    {
        if (duration < Duration.FromMinutes(1))
        {
            return $"{Math.Max(0, (int)duration.TotalSeconds)}s";
        }
        if (duration < Duration.FromHours(1))
        {
            var seconds = duration.Seconds;
            return seconds == 0 ? $"{(int)duration.TotalMinutes}m" : $"{(int)duration.TotalMinutes}m {seconds}s";
        }
        if (duration < Duration.FromDays(1))
        {
            return duration.Minutes == 0 ? $"{(int)duration.TotalHours}h" : $"{(int)duration.TotalHours}h {duration.Minutes}m";
        }
        return duration.Hours == 0 ? $"{duration.Days}d" : $"{duration.Days}d {duration.Hours}h";
    }
}
