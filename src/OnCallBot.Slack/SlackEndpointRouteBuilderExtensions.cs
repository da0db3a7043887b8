using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OnCallBot.Slack.Inbound;

namespace OnCallBot.Slack;

/// <summary>Maps Slack's request URLs. All settings come from <see cref="SlackServiceCollectionExtensions.AddSlack"/>.</summary>
public static class SlackEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the three Slack request URLs to configure in the Slack app:
    /// <list type="bullet">
    /// <item><c>POST /slack/commands</c>: slash commands (form-encoded).</item>
    /// <item><c>POST /slack/interactions</c>: interactivity (form field <c>payload</c> with JSON).</item>
    /// <item><c>POST /slack/events</c>: Events API (JSON; answers <c>url_verification</c> with its challenge).</item>
    /// </list>
    /// Every request is verified with <c>Slack:SigningSecret</c> before it is parsed: 401 when verification fails,
    /// 400 for a malformed payload, 413 above <c>Slack:MaxRequestBodyBytes</c>, and 503 with
    /// "Slack is off: ..." when Slack is not configured. A request received before (same <c>trigger_id</c>, same
    /// signature, or same <c>event_id</c>) is not acted on again: a command gets an ephemeral "already received",
    /// anything else an empty 200.
    /// </summary>
    public static IEndpointRouteBuilder MapSlack(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ServiceProvider.GetService<SlackHttpEndpoints>() is null)
        {
            throw new InvalidOperationException("MapSlack() was called but the Slack services are not registered. Call services.AddSlack() first.");
        }
        app.MapPost("/slack/commands", context => context.RequestServices.GetRequiredService<SlackHttpEndpoints>().CommandsAsync(context))
            .WithDisplayName("Slack slash commands");
        app.MapPost("/slack/interactions", context => context.RequestServices.GetRequiredService<SlackHttpEndpoints>().InteractionsAsync(context))
            .WithDisplayName("Slack interactions");
        app.MapPost("/slack/events", context => context.RequestServices.GetRequiredService<SlackHttpEndpoints>().EventsAsync(context))
            .WithDisplayName("Slack events");
        return app;
    }
}
