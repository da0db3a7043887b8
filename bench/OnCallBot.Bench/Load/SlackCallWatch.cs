using OnCallBot.TestKit.Slack;

namespace OnCallBot.Bench.Load;

/// <summary>One DM that reached the stand-in and was carried out: whose DM, for which page, when.</summary>
internal sealed record DirectMessage(string UserId, int PageIndex, DateTimeOffset At);

/// <summary>
/// Reads the stand-in's call record as it grows and sorts it for the figures: page DMs by page and recipient,
/// accepted and refused (429) calls per method, and when the incident channels were last worked on.
/// </summary>
internal sealed class SlackCallWatch(FakeSlackServer slack, DateTimeOffset since)
{
    /// <summary>Methods that work on incident channels (a <c>chat.postMessage</c> or <c>chat.update</c> counts when its channel is not a DM).</summary>
    private static readonly HashSet<string> ChannelMethods = new(StringComparer.Ordinal)
    {
        "conversations.create", "conversations.invite", "conversations.setTopic", "pins.add",
    };

    private readonly Dictionary<int, List<DirectMessage>> _pageDms = [];
    private readonly Dictionary<string, int> _accepted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _refused = new(StringComparer.Ordinal);
    private int _seen;

    /// <summary>When the last channel operation the stand-in carried out arrived, or null before any.</summary>
    public DateTimeOffset? LastChannelOperation { get; private set; }

    public IReadOnlyDictionary<string, int> Accepted => _accepted;

    public IReadOnlyDictionary<string, int> Refused => _refused;

    public int AcceptedCount(string method) => _accepted.GetValueOrDefault(method);

    /// <summary>Reads the calls made since the last look.</summary>
    public void Poll()
    {
        var calls = slack.Calls;
        for (; _seen < calls.Count; _seen++)
        {
            var call = calls[_seen];
            if (call.ReceivedAt < since)
            {
                continue;
            }
            var counts = call.RateLimited ? _refused : _accepted;
            counts[call.Method] = counts.GetValueOrDefault(call.Method) + 1;
            if (call.RateLimited)
            {
                continue;
            }
            var directTo = call.Channel is { } channel ? slack.UserOfDirectChannel(channel) : null;
            if (call.Method == "chat.postMessage" && directTo is not null && BenchBot.IndexIn(call.Args.GetValueOrDefault("text")) is var index and >= 0)
            {
                if (!_pageDms.TryGetValue(index, out var list))
                {
                    _pageDms[index] = list = [];
                }
                list.Add(new DirectMessage(directTo, index, call.ReceivedAt));
            }
            if (ChannelMethods.Contains(call.Method) || (call.Method is "chat.postMessage" or "chat.update" && call.Channel is { } c && directTo is null && c.StartsWith('C')))
            {
                LastChannelOperation = call.ReceivedAt;
            }
        }
    }

    /// <summary>The DMs for page <paramref name="index"/> to <paramref name="userId"/>, oldest first.</summary>
    public IReadOnlyList<DirectMessage> DmsFor(int index, string userId) =>
        _pageDms.TryGetValue(index, out var list) ? [.. list.Where(d => d.UserId == userId)] : [];

    /// <summary>"method 12 (3 × 429)" for every method called, for the report.</summary>
    public string Describe() => string.Join(", ", _accepted.Keys.Union(_refused.Keys).Order(StringComparer.Ordinal)
        .Select(m => $"{m} {_accepted.GetValueOrDefault(m):N0}" + (_refused.GetValueOrDefault(m) is var r and > 0 ? $" (+{r:N0} × 429)" : "")));
}
