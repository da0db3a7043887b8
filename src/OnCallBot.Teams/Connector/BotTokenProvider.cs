using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OnCallBot.Teams.Connector;

/// <summary>
/// The bot's Bot Framework access token, by the client credentials grant (<c>Teams:AppId</c>, <c>Teams:AppPassword</c>,
/// scope <c>https://api.botframework.com/.default</c>) at <see cref="TeamsTokenEndpoint.For"/>. The token is cached and
/// used until <see cref="RefreshBeforeExpiry"/> before it expires; callers that find it missing or due share one
/// request. A refusal throws <see cref="TeamsApiException"/> naming the setting to fix, and is not cached: the next call
/// asks again. Registered as a singleton.
/// </summary>
internal sealed class BotTokenProvider(
    IServiceProvider services, IOptionsMonitor<TeamsOptions> options, TimeProvider timeProvider, ILogger<BotTokenProvider> logger)
{
    /// <summary>How long before expiry a token is replaced, so a call never leaves with one about to lapse in flight.</summary>
    public static readonly TimeSpan RefreshBeforeExpiry = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private CachedToken? _cached;
    private Task<CachedToken>? _fetch;

    /// <summary>A token fit to use now: the cached one, or a fresh one (this caller's wait can be cancelled; the shared request is not).</summary>
    public async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        if (!current.IsEnabled)
        {
            throw new TeamsApiException(TeamsApiException.TokenOperation, TeamsApiException.TeamsOffCode,
                detail: "set Teams:AppId and Teams:AppPassword to turn Teams on; nothing was sent");
        }
        var identity = Identity(current);
        Task<CachedToken> fetch;
        lock (_gate)
        {
            if (_cached is { } cached && cached.Identity == identity && timeProvider.GetUtcNow() < cached.RefreshAt)
            {
                return cached.AccessToken;
            }
            fetch = _fetch ??= FetchAsync(current, identity);
        }
        var token = await fetch.WaitAsync(cancellationToken);
        return token.AccessToken;
    }

    /// <summary>Forgets <paramref name="accessToken"/> if it is the cached one (the Connector refused it); true when it was.</summary>
    public bool Invalidate(string accessToken)
    {
        lock (_gate)
        {
            if (_cached?.AccessToken != accessToken)
            {
                return false;
            }
            _cached = null;
            return true;
        }
    }

    private async Task<CachedToken> FetchAsync(TeamsOptions current, string identity)
    {
        // Off the caller's lock before anything else runs.
        await Task.Yield();
        CachedToken? fetched = null;
        try
        {
            var requestedAt = timeProvider.GetUtcNow();
            // Resolved per request: a typed client kept by this singleton would pin one handler chain for ever.
            var api = services.GetRequiredService<IBotTokenApi>();
            var response = await api.RequestTokenAsync(ClientCredentialsForm.For(current.AppId!, current.AppPassword!), CancellationToken.None);
            if (string.IsNullOrEmpty(response.AccessToken) || response.ExpiresIn is not > 0
                || (response.TokenType is { } type && !type.Equals("Bearer", StringComparison.OrdinalIgnoreCase)))
            {
                throw new TeamsApiException(TeamsApiException.TokenOperation, TeamsApiException.InvalidResponseCode,
                    detail: "the answer lacks a Bearer access_token with a positive expires_in");
            }
            var lifetime = TimeSpan.FromSeconds(response.ExpiresIn.Value);
            // A token shorter-lived than twice the margin is used for half its life instead of never.
            var margin = lifetime > 2 * RefreshBeforeExpiry ? RefreshBeforeExpiry : lifetime / 2;
            fetched = new CachedToken(identity, response.AccessToken, requestedAt + lifetime - margin);
            Log.TokenFetched(logger, current.AppId!, (long)lifetime.TotalSeconds);
            return fetched;
        }
        finally
        {
            lock (_gate)
            {
                if (fetched is not null)
                {
                    _cached = fetched;
                }
                _fetch = null;
            }
        }
    }

    // A token belongs to one app at one endpoint: a changed setting must not reuse the old app's token.
    private static string Identity(TeamsOptions options) => $"{options.AppId}|{TeamsTokenEndpoint.For(options)}";

    private sealed record CachedToken(string Identity, string AccessToken, DateTimeOffset RefreshAt)
    {
        public override string ToString() => $"CachedToken({Identity}, refresh at {RefreshAt:O})";
    }
}
