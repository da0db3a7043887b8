using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OnCallBot.Teams.Inbound;

namespace OnCallBot.Teams;

/// <summary>Maps the Teams messaging endpoint. All settings come from <see cref="TeamsServiceCollectionExtensions.AddTeams"/>.</summary>
public static class TeamsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST /api/messages</c>, the messaging endpoint to set in the Azure Bot registration. Each request's
    /// <c>Authorization: Bearer</c> token is validated against the Bot Framework's signing keys
    /// (<c>Teams:OpenIdMetadataUrl</c>) before the body is read: 401 for a missing, forged, expired or misdirected token
    /// (issuer, audience <c>Teams:AppId</c>, 5 minutes of clock skew) or a <c>serviceurl</c> claim that is not the
    /// activity's <c>serviceUrl</c>; 403 when the signing key is not endorsed for the activity's channel (or the channel
    /// is not Teams); 400 for a body that is not an activity; 413 above 1 MiB; 503 when the keys cannot be fetched, and
    /// 503 with "Teams is off: ..." when Teams is not configured. A valid activity goes to the registered
    /// <see cref="ITeamsActivityHandler"/>, whose answer is the response.
    /// </summary>
    public static IEndpointRouteBuilder MapTeams(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ServiceProvider.GetService<TeamsHttpEndpoint>() is null)
        {
            throw new InvalidOperationException("MapTeams() was called but the Teams services are not registered. Call services.AddTeams() first.");
        }
        app.MapPost("/api/messages", context => context.RequestServices.GetRequiredService<TeamsHttpEndpoint>().MessagesAsync(context))
            .WithDisplayName("Teams messages");
        return app;
    }
}
