using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace OnCallBot.Slack.Inbound;

/// <summary>
/// The request delegates behind <see cref="SlackEndpointRouteBuilderExtensions.MapSlack"/>. Each reads the raw
/// body (bounded), verifies Slack's signature over exactly those bytes, and only then parses.
/// </summary>
internal sealed class SlackHttpEndpoints
{
    internal const string SlackOffMessage =
        "Slack is off: set Slack:BotToken and Slack:SigningSecret (HTTP) or Slack:AppToken (Socket Mode) to turn it on";

    private const string CommandFailedMessage =
        "Sorry, the bot failed to handle that command. Try again, and tell the on-call admins if it keeps failing.";

    private readonly IOptionsMonitor<SlackOptions> _options;
    private readonly SlackRequestVerifier _verifier;
    private readonly SlackInboundDispatcher _dispatcher;
    private readonly ILogger<SlackHttpEndpoints> _logger;

    public SlackHttpEndpoints(
        IOptionsMonitor<SlackOptions> options, SlackRequestVerifier verifier, SlackInboundDispatcher dispatcher, ILogger<SlackHttpEndpoints> logger)
    {
        _options = options;
        _verifier = verifier;
        _dispatcher = dispatcher;
        _logger = logger;
    }

    public Task CommandsAsync(HttpContext context) => RunAsync(context, async (body, delivery) =>
    {
        var form = ReadForm(body);
        var command = SlackPayloadParser.ParseCommand(name => form.TryGetValue(name, out var v) ? (string?)v : null, ReadRetry(context.Request));
        SlackInboundResponse response;
        try
        {
            response = await _dispatcher.DispatchCommandAsync(context.RequestServices, command, delivery, context.RequestAborted);
        }
        catch (Exception ex) when (ex is not SlackPartMissingException && !context.RequestAborted.IsCancellationRequested)
        {
            Log.CommandHandlerFailed(_logger, ex, command.Command);
            // The user typed a command and is waiting: tell them in one line rather than Slack's generic failure.
            response = SlackInboundResponse.Ephemeral(CommandFailedMessage);
        }
        await WriteResponseAsync(context, response);
    });

    public Task InteractionsAsync(HttpContext context) => RunAsync(context, async (body, delivery) =>
    {
        var form = ReadForm(body);
        if (!form.TryGetValue("payload", out var payloadText) || StringValues.IsNullOrEmpty(payloadText))
        {
            throw new SlackPayloadException("The interaction request has no 'payload' form field.");
        }
        var payload = SlackPayloadParser.ParseJson(Encoding.UTF8.GetBytes(payloadText.ToString()), "interaction payload");
        var interaction = SlackPayloadParser.ParseInteraction(payload, ReadRetry(context.Request));
        var response = await _dispatcher.DispatchInteractionAsync(context.RequestServices, interaction, delivery, context.RequestAborted);
        await WriteResponseAsync(context, response);
    });

    // Events are deduplicated by their event_id, which Slack keeps when it re-signs a redelivery.
    public Task EventsAsync(HttpContext context) => RunAsync(context, async (body, _) =>
    {
        var payload = SlackPayloadParser.ParseJson(body, "event payload");
        if (payload.ValueKind != JsonValueKind.Object || !payload.TryGetProperty("type", out var typeJson) || typeJson.ValueKind != JsonValueKind.String)
        {
            throw new SlackPayloadException("The event payload has no 'type'.");
        }
        switch (typeJson.GetString())
        {
            case "url_verification":
                if (!payload.TryGetProperty("challenge", out var challenge) || challenge.ValueKind != JsonValueKind.String)
                {
                    throw new SlackPayloadException("The url_verification request has no 'challenge'.");
                }
                await WriteJsonAsync(context, new JsonObject { ["challenge"] = challenge.GetString() });
                return;
            case "event_callback":
                var slackEvent = SlackPayloadParser.ParseEventCallback(payload, ReadRetry(context.Request));
                // Slack ignores the body of an event acknowledgement; only the 200 matters.
                await _dispatcher.DispatchEventAsync(context.RequestServices, slackEvent, context.RequestAborted);
                context.Response.StatusCode = StatusCodes.Status200OK;
                return;
            case var other:
                Log.UnhandledEventEnvelope(_logger, other ?? "(null)");
                context.Response.StatusCode = StatusCodes.Status200OK;
                return;
        }
    });

    /// <summary>Reads, verifies, then calls <paramref name="handle"/> with the body and the request's delivery id (its hashed signature).</summary>
    private async Task RunAsync(HttpContext context, Func<byte[], string, Task> handle)
    {
        var options = _options.CurrentValue;
        var path = context.Request.Path.Value ?? string.Empty;
        if (!options.IsEnabled)
        {
            await WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, SlackOffMessage);
            return;
        }

        var body = await Core.Inbound.BoundedBody.ReadAsync(context.Request.Body, context.Request.ContentLength, options.MaxRequestBodyBytes, context.RequestAborted);
        if (body is null)
        {
            Log.RequestTooLarge(_logger, path, options.MaxRequestBodyBytes);
            await WriteTextAsync(context, StatusCodes.Status413PayloadTooLarge, $"Request body is larger than {options.MaxRequestBodyBytes} bytes.");
            return;
        }

        var signature = context.Request.Headers[SlackRequestVerifier.SignatureHeader].ToString();
        var verification = _verifier.Verify(context.Request.Headers[SlackRequestVerifier.TimestampHeader].ToString(), signature, body);
        if (!verification.IsValid)
        {
            Log.VerificationFailed(_logger, path, verification.Failure, verification.Reason, context.Connection.RemoteIpAddress?.ToString());
            await WriteTextAsync(context, StatusCodes.Status401Unauthorized, "Slack request verification failed.");
            return;
        }

        try
        {
            await handle(body, SlackInboundDispatcher.SignatureDelivery(signature));
        }
        catch (SlackPayloadException ex)
        {
            Log.MalformedPayload(_logger, path, ex.Message);
            await WriteTextAsync(context, StatusCodes.Status400BadRequest, ex.Message);
        }
        catch (SlackPartMissingException ex)
        {
            Log.PartMissing(_logger, path, ex.Message);
            await WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, ex.Message);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
        {
            // A 500 makes Slack redeliver events and show a failure on the clicked element.
            Log.HandlerFailed(_logger, ex, path);
            await WriteTextAsync(context, StatusCodes.Status500InternalServerError, "The bot failed to handle this Slack request.");
        }
    }

    /// <summary>
    /// Reads an <c>application/x-www-form-urlencoded</c> body strictly: the body and every percent-decoded name and
    /// value must be UTF-8, as Slack sends them. (A lenient decoder would turn bad bytes into U+FFFD, or leave an
    /// undecodable escape as literal text, and hand that on as if the user had typed it.)
    /// </summary>
    internal static Dictionary<string, StringValues> ReadForm(byte[] body)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            throw new SlackPayloadException("The request body is not valid UTF-8.");
        }

        var form = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals], null);
            var value = equals < 0 ? string.Empty : Decode(pair[(equals + 1)..], name);
            form[name] = form.TryGetValue(name, out var earlier) ? StringValues.Concat(earlier, value) : new StringValues(value);
        }
        return form;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Decode(string encoded, string? fieldName)
    {
        try
        {
            var decoded = HttpUtility.UrlDecode(encoded, StrictUtf8);
            // %uD800-style escapes decode to UTF-16 directly; a lone surrogate is no more text than a bad byte.
            _ = StrictUtf8.GetByteCount(decoded);
            return decoded;
        }
        catch (ArgumentException ex) when (ex is DecoderFallbackException or EncoderFallbackException)
        {
            // The name is echoed (to the caller and the log) only when it looks like one of Slack's.
            throw new SlackPayloadException(fieldName is { Length: > 0 and <= 40 } && fieldName.All(c => c is (>= 'a' and <= 'z') or '_')
                ? $"The form field '{fieldName}' is not valid UTF-8."
                : "A form field is not valid UTF-8.");
        }
    }

    private static SlackRetryInfo ReadRetry(HttpRequest request) =>
        SlackPayloadParser.ParseRetry(request.Headers["X-Slack-Retry-Num"].ToString(), request.Headers["X-Slack-Retry-Reason"].ToString());

    private static Task WriteResponseAsync(HttpContext context, SlackInboundResponse response)
    {
        if (response.ToJson() is { } json)
        {
            return WriteJsonAsync(context, json);
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        return Task.CompletedTask;
    }

    private static async Task WriteJsonAsync(HttpContext context, JsonObject json)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(json.ToJsonString(), context.RequestAborted);
    }

    private static async Task WriteTextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text, context.RequestAborted);
    }
}
