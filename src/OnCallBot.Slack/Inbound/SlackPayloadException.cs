namespace OnCallBot.Slack.Inbound;

/// <summary>A verified request whose payload is not what Slack sends; answered with 400 and this message.</summary>
internal sealed class SlackPayloadException(string message) : Exception(message);
