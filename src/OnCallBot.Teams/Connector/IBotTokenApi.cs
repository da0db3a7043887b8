using System.Text.Json.Serialization;
using Refit;

namespace OnCallBot.Teams.Connector;

/// <summary>
/// The Microsoft identity platform's token endpoint, for the client credentials grant. The client's base address is
/// the whole endpoint (<see cref="TeamsTokenEndpoint.For"/>), so the method's own path is empty. Behind it,
/// <see cref="TokenResponseHandler"/> turns a refusal into <see cref="TeamsApiException"/> and
/// <see cref="TeamsRetryHandler"/> retries 429 and 5xx. Used only by <see cref="BotTokenProvider"/>, which caches.
/// </summary>
internal interface IBotTokenApi
{
    [Post("")]
    Task<TokenResponse> RequestTokenAsync([Body(BodySerializationMethod.UrlEncoded)] ClientCredentialsForm form, CancellationToken cancellationToken);
}

/// <summary>The form of a client credentials token request.</summary>
internal sealed record ClientCredentialsForm(
    [property: AliasAs("grant_type")] string GrantType,
    [property: AliasAs("client_id")] string ClientId,
    [property: AliasAs("client_secret")] string ClientSecret,
    [property: AliasAs("scope")] string Scope)
{
    /// <summary>The Bot Connector's scope: a token for it, nothing else.</summary>
    public const string BotFrameworkScope = "https://api.botframework.com/.default";

    public static ClientCredentialsForm For(string appId, string appPassword) => new("client_credentials", appId, appPassword, BotFrameworkScope);

    // The secret never reaches a log line or an exception through this record's text.
    public override string ToString() => $"ClientCredentialsForm(client_id={ClientId}, client_secret=<redacted>, scope={Scope})";
}

/// <summary>The token endpoint's answer.</summary>
internal sealed record TokenResponse(
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("expires_in")] long? ExpiresIn,
    [property: JsonPropertyName("access_token")] string? AccessToken)
{
    public override string ToString() => $"TokenResponse(token_type={TokenType}, expires_in={ExpiresIn}, access_token=<redacted>)";
}

/// <summary>Where the bot's token comes from, and how the token client reads the answer.</summary>
internal static class TeamsTokenEndpoint
{
    /// <summary>The tenant of multi-tenant bots' tokens.</summary>
    public const string MultiTenant = "botframework.com";

    /// <summary>
    /// <see cref="TeamsOptions.TokenEndpoint"/> when set; else the Microsoft identity platform's endpoint for
    /// <see cref="TeamsOptions.TenantId"/>, or for <c>botframework.com</c> when the bot is multi-tenant.
    /// </summary>
    public static Uri For(TeamsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // An empty setting binds to an empty relative Uri, not null: it means the default too.
        if (options.TokenEndpoint is { OriginalString.Length: > 0 } endpoint)
        {
            return endpoint;
        }
        var tenant = string.IsNullOrWhiteSpace(options.TenantId) ? MultiTenant : options.TenantId.Trim();
        return new Uri($"https://login.microsoftonline.com/{Uri.EscapeDataString(tenant)}/oauth2/v2.0/token");
    }

    public static RefitSettings CreateRefitSettings() => new()
    {
        Buffered = true,
        // As for the Connector client: TeamsApiException and transport failures pass on unwrapped.
        TransportExceptionFactory = (_, exception, _) => exception,
        DeserializationExceptionFactory = (response, _) => ValueTask.FromResult<Exception?>(
            new TeamsApiException(TeamsApiException.TokenOperation, TeamsApiException.InvalidResponseCode, response.StatusCode, "unreadable body")),
    };
}
