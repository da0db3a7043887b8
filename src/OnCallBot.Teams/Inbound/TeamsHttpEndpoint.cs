using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OnCallBot.Teams.Inbound;

/// <summary>
/// The request delegate behind <see cref="TeamsEndpointRouteBuilderExtensions.MapTeams"/>: validates the bearer token
/// before reading the body, parses the activity, checks it against the token (endorsement, service URL), remembers its
/// service URL as trusted, then hands it to <see cref="ITeamsActivityHandler"/>. A refused request changes nothing.
/// </summary>
internal sealed class TeamsHttpEndpoint
{
    internal const string TeamsOffMessage = "Teams is off: set Teams:AppId and Teams:AppPassword to turn it on";

    /// <summary>The largest activity read. Teams caps a message at about 28 KB; cards and channel data stay well below this.</summary>
    internal const int MaxActivityBytes = 1024 * 1024;

    private readonly IOptionsMonitor<TeamsOptions> _options;
    private readonly BotFrameworkTokenValidator _validator;
    private readonly ITeamsServiceUrls _serviceUrls;
    private readonly ILogger<TeamsHttpEndpoint> _logger;

    public TeamsHttpEndpoint(IOptionsMonitor<TeamsOptions> options, BotFrameworkTokenValidator validator, ITeamsServiceUrls serviceUrls, ILogger<TeamsHttpEndpoint> logger)
    {
        _options = options;
        _validator = validator;
        _serviceUrls = serviceUrls;
        _logger = logger;
    }

    public async Task MessagesAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (!_options.CurrentValue.IsEnabled)
        {
            await WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, TeamsOffMessage);
            return;
        }

        // The token first: nothing of the body is read for a caller who has not proven to be the Bot Framework.
        var authorization = context.Request.Headers.Authorization;
        var token = await _validator.ValidateAsync(authorization.Count == 1 ? authorization[0] : null, context.RequestAborted);
        if (!token.IsValid)
        {
            await RefuseAsync(context, path, token);
            return;
        }

        var body = await Core.Inbound.BoundedBody.ReadAsync(context.Request.Body, context.Request.ContentLength, MaxActivityBytes, context.RequestAborted);
        if (body is null)
        {
            Log.TeamsRequestTooLarge(_logger, path, MaxActivityBytes);
            await WriteTextAsync(context, StatusCodes.Status413PayloadTooLarge, $"Request body is larger than {MaxActivityBytes} bytes.");
            return;
        }

        TeamsActivity activity;
        try
        {
            activity = TeamsActivityParser.Parse(body);
        }
        catch (TeamsActivityFormatException ex)
        {
            Log.MalformedActivity(_logger, path, ex.Message);
            await WriteTextAsync(context, StatusCodes.Status400BadRequest, ex.Message);
            return;
        }

        var checkedActivity = BotFrameworkTokenValidator.CheckActivity(token.Token!, activity);
        if (!checkedActivity.IsValid)
        {
            await RefuseAsync(context, path, checkedActivity);
            return;
        }

        // CheckActivity passed, so the URL is present and is the signed serviceurl claim.
        if (_serviceUrls.Trust(activity.ServiceUrl!, activity.TenantId ?? activity.Conversation?.TenantId, activity.From?.Id))
        {
            Log.ServiceUrlTrusted(_logger, activity.ServiceUrl!);
        }
        Log.ActivityReceived(_logger, activity.Type, activity.Id, activity.From?.Id, activity.Conversation?.Id, activity.Conversation?.ConversationType);

        TeamsActivityResponse response;
        try
        {
            var handler = context.RequestServices.GetRequiredService<ITeamsActivityHandler>();
            response = await handler.HandleAsync(activity, context.RequestAborted);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
        {
            Log.ActivityHandlerFailed(_logger, ex, activity.Type, activity.Id);
            await WriteTextAsync(context, StatusCodes.Status500InternalServerError, "The bot failed to handle this Teams activity.");
            return;
        }
        await WriteResponseAsync(context, response);
    }

    private async Task RefuseAsync(HttpContext context, string path, TeamsAuthResult result)
    {
        Log.TeamsRequestRefused(_logger, path, context.Connection.RemoteIpAddress?.ToString(), result.StatusCode, result.Failure, result.Reason);
        if (result.StatusCode == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }
        await WriteTextAsync(context, result.StatusCode, result.StatusCode switch
        {
            StatusCodes.Status403Forbidden => "Teams request refused: the signing key does not vouch for this channel.",
            StatusCodes.Status503ServiceUnavailable => "Teams request not checked: the Bot Framework signing keys cannot be fetched now.",
            _ => "Teams request authentication failed.",
        });
    }

    private static async Task WriteResponseAsync(HttpContext context, TeamsActivityResponse response)
    {
        context.Response.StatusCode = response.StatusCode;
        if (response.Body is not null)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(response.Body.ToJsonString(), context.RequestAborted);
        }
    }

    private static async Task WriteTextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text, context.RequestAborted);
    }
}
