using Refit;

namespace OnCallBot.Slack.WebApi;

/// <summary>
/// The Slack Web API methods the bot calls, one interface method per Slack method, as Refit sends them: write
/// methods with JSON bodies, <c>users.*</c> reads and <c>apps.connections.open</c> as forms, as Slack accepts them.
/// Registered with <c>AddRefitClient</c> by <see cref="SlackServiceCollectionExtensions.AddSlack"/>.
/// </summary>
/// <remarks>
/// The path is the Slack method's name; the handlers behind the client read it to pick the token
/// (<see cref="SlackAuthenticationHandler"/>) and the rate tier (<see cref="SlackPacingHandler"/>), retry HTTP 429
/// (<see cref="SlackRetryAfterHandler"/>) and turn anything but <c>"ok": true</c> into
/// <see cref="SlackApiException"/> (<see cref="SlackResponseHandler"/>). Arguments are checked, and answers
/// interpreted, by <see cref="SlackWebApiClient"/>. A method added here needs a tier in
/// <see cref="SlackRateLimiter.MethodTiers"/>; the spec-check test calls every method of this interface.
/// </remarks>
internal interface ISlackWebApi
{
    /// <summary>Paced per channel: <paramref name="channel"/> names the pacing bucket (the same id as in the body).</summary>
    [Post("/chat.postMessage")]
    Task<PostMessageWire> PostMessageAsync(
        [Body(BodySerializationMethod.Serialized)] PostMessageRequest request,
        [Property(SlackWebApiWire.PacingChannelKey)] string channel,
        CancellationToken cancellationToken);

    [Post("/chat.update")]
    Task<PostMessageWire> UpdateMessageAsync([Body(BodySerializationMethod.Serialized)] UpdateMessageRequest request, CancellationToken cancellationToken);

    [Post("/chat.postEphemeral")]
    Task<PostEphemeralWire> PostEphemeralAsync([Body(BodySerializationMethod.Serialized)] PostEphemeralRequest request, CancellationToken cancellationToken);

    [Post("/conversations.open")]
    Task<ConversationEnvelopeWire> OpenConversationAsync(
        [Body(BodySerializationMethod.Serialized)] OpenConversationRequest request, CancellationToken cancellationToken);

    [Post("/conversations.create")]
    Task<ConversationEnvelopeWire> CreateConversationAsync(
        [Body(BodySerializationMethod.Serialized)] CreateConversationRequest request, CancellationToken cancellationToken);

    [Post("/conversations.invite")]
    Task InviteToConversationAsync([Body(BodySerializationMethod.Serialized)] InviteToConversationRequest request, CancellationToken cancellationToken);

    [Post("/conversations.setTopic")]
    Task SetConversationTopicAsync([Body(BodySerializationMethod.Serialized)] SetConversationTopicRequest request, CancellationToken cancellationToken);

    [Post("/conversations.archive")]
    Task ArchiveConversationAsync([Body(BodySerializationMethod.Serialized)] ArchiveConversationRequest request, CancellationToken cancellationToken);

    [Post("/pins.add")]
    Task AddPinAsync([Body(BodySerializationMethod.Serialized)] AddPinRequest request, CancellationToken cancellationToken);

    // Slack takes these two as forms only (its methods that accept JSON bodies are the writes).
    [Post("/users.info")]
    Task<UserEnvelopeWire> GetUserAsync([Body(BodySerializationMethod.UrlEncoded)] UserInfoRequest request, CancellationToken cancellationToken);

    [Post("/users.lookupByEmail")]
    Task<UserEnvelopeWire> LookupUserByEmailAsync(
        [Body(BodySerializationMethod.UrlEncoded)] LookupUserByEmailRequest request, CancellationToken cancellationToken);

    /// <summary>Takes no arguments: an empty form, with the app-level token.</summary>
    [Post("/apps.connections.open")]
    [Headers("Content-Type: application/x-www-form-urlencoded")]
    Task<ConnectionsOpenWire> OpenSocketModeConnectionAsync(CancellationToken cancellationToken);
}
