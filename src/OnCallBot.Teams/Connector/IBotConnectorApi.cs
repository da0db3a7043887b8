using Refit;

namespace OnCallBot.Teams.Connector;

/// <summary>
/// The Bot Connector REST API (v3) calls the bot makes, as Refit sends them. Every call names the conversation's
/// service URL (a request property): <see cref="ConnectorServiceUrlHandler"/> refuses one no validated activity
/// proved and sends the request there; <see cref="ConnectorAuthenticationHandler"/> adds the bot's token;
/// <see cref="TeamsRetryHandler"/> retries 429 and 5xx; <see cref="ConnectorResponseHandler"/> turns every failure
/// into <see cref="TeamsApiException"/>. Arguments are checked by <see cref="TeamsConnectorClient"/>.
/// </summary>
internal interface IBotConnectorApi
{
    [Post("/v3/conversations")]
    Task<ConversationResourceResponse> CreateConversationAsync(
        [Property(ConnectorWire.ServiceUrlKey)] Uri serviceUrl,
        [Body(BodySerializationMethod.Serialized)] ConversationParameters parameters,
        CancellationToken cancellationToken);

    [Post("/v3/conversations/{conversationId}/activities")]
    Task<ResourceResponse> SendToConversationAsync(
        [Property(ConnectorWire.ServiceUrlKey)] Uri serviceUrl,
        string conversationId,
        [Body(BodySerializationMethod.Serialized)] ConnectorActivity activity,
        CancellationToken cancellationToken);

    [Post("/v3/conversations/{conversationId}/activities/{activityId}")]
    Task<ResourceResponse> ReplyToActivityAsync(
        [Property(ConnectorWire.ServiceUrlKey)] Uri serviceUrl,
        string conversationId,
        string activityId,
        [Body(BodySerializationMethod.Serialized)] ConnectorActivity activity,
        CancellationToken cancellationToken);

    /// <summary>The answer (the activity's id, sometimes nothing) is not needed: the id does not change.</summary>
    [Put("/v3/conversations/{conversationId}/activities/{activityId}")]
    Task UpdateActivityAsync(
        [Property(ConnectorWire.ServiceUrlKey)] Uri serviceUrl,
        string conversationId,
        string activityId,
        [Body(BodySerializationMethod.Serialized)] ConnectorActivity activity,
        CancellationToken cancellationToken);
}
