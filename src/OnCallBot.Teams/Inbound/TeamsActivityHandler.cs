using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace OnCallBot.Teams.Inbound;

/// <summary>
/// Port to what the bot does with a validated Teams activity: the commands (page, ack, incident ...) and card clicks
/// live behind it. The transport calls it only after the token, the channel's endorsement and the service URL were
/// checked, and writes its <see cref="TeamsActivityResponse"/> as the HTTP answer.
/// </summary>
/// <remarks>
/// For an <c>invoke</c> the answer is the invoke response Teams waits for: for <c>adaptiveCard/action</c>, HTTP 200
/// with <see cref="TeamsActivityResponse.AdaptiveCardMessage"/> or <see cref="TeamsActivityResponse.AdaptiveCard"/>,
/// within Teams' invoke deadline. Messages and other activities are answered 200 with an empty body; replies go out
/// through the Bot Connector.
/// </remarks>
public interface ITeamsActivityHandler
{
    Task<TeamsActivityResponse> HandleAsync(TeamsActivity activity, CancellationToken cancellationToken);
}

/// <summary>The HTTP answer to one activity: a status and, for invokes, a JSON body.</summary>
public sealed record TeamsActivityResponse(int StatusCode, JsonNode? Body = null)
{
    /// <summary>200 with no body: the activity was taken.</summary>
    public static TeamsActivityResponse Ok { get; } = new((int)HttpStatusCode.OK);

    /// <summary>An <c>adaptiveCard/action</c> answer that shows <paramref name="message"/> to the user who clicked.</summary>
    public static TeamsActivityResponse AdaptiveCardMessage(string message) => Invoke(new JsonObject
    {
        ["statusCode"] = 200,
        ["type"] = "application/vnd.microsoft.activity.message",
        ["value"] = message,
    });

    /// <summary>An <c>adaptiveCard/action</c> answer that replaces the clicked card with <paramref name="card"/>.</summary>
    public static TeamsActivityResponse AdaptiveCard(JsonObject card) => Invoke(new JsonObject
    {
        ["statusCode"] = 200,
        ["type"] = "application/vnd.microsoft.card.adaptive",
        ["value"] = card,
    });

    /// <summary>An invoke answer: HTTP 200 carrying <paramref name="body"/> (Teams reads the status inside it).</summary>
    public static TeamsActivityResponse Invoke(JsonObject body) => new((int)HttpStatusCode.OK, body);
}

/// <summary>
/// The handler registered until a real one (the Teams commands) replaces it: logs each activity and takes messages and
/// conversation updates with 200. Invokes get 501 Not Implemented, never a made-up success: a card click that nothing
/// acts on must not look acted on.
/// </summary>
internal sealed class LoggingTeamsActivityHandler(ILogger<LoggingTeamsActivityHandler> logger) : ITeamsActivityHandler
{
    public Task<TeamsActivityResponse> HandleAsync(TeamsActivity activity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(activity);
        if (activity.IsInvoke)
        {
            Log.InvokeNotHandled(logger, activity.Name ?? "(no name)", activity.Conversation?.Id ?? "(none)");
            return Task.FromResult(new TeamsActivityResponse((int)HttpStatusCode.NotImplemented));
        }
        Log.ActivityNotHandled(logger, activity.Type, activity.Conversation?.Id ?? "(none)", activity.TenantId ?? "(none)");
        return Task.FromResult(TeamsActivityResponse.Ok);
    }
}
