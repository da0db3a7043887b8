using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace OnCallBot.Teams.Inbound;

/// <summary>Why an inbound Teams request was refused.</summary>
internal enum TeamsAuthFailure
{
    None,
    MissingToken,
    MalformedToken,
    UnknownSigningKey,
    BadSignature,
    WrongIssuer,
    WrongAudience,
    Expired,
    NotYetValid,
    NoExpiry,
    InvalidToken,
    ChannelNotEndorsed,
    NotTeams,
    MissingServiceUrlClaim,
    ServiceUrlMismatch,
    MetadataUnavailable,
}

/// <summary>The outcome of a check: <see cref="Token"/> when it passed, else the failure, its HTTP status and a reason for the log.</summary>
internal sealed record TeamsAuthResult(TeamsAuthFailure Failure, string Reason, ValidatedBotFrameworkToken? Token = null)
{
    public bool IsValid => Failure == TeamsAuthFailure.None;

    /// <summary>403 for a channel the signing key does not endorse (the Bot Framework's rule), 503 when the keys cannot be had, else 401.</summary>
    public int StatusCode => Failure switch
    {
        TeamsAuthFailure.None => 200,
        TeamsAuthFailure.ChannelNotEndorsed or TeamsAuthFailure.NotTeams => 403,
        TeamsAuthFailure.MetadataUnavailable => 503,
        _ => 401,
    };

    public static TeamsAuthResult Refused(TeamsAuthFailure failure, string reason) => new(failure, reason);
}

/// <summary>A token that passed IdentityModel's checks: the key that signed it, that key's endorsements, its <c>serviceurl</c> claim.</summary>
internal sealed record ValidatedBotFrameworkToken(string? KeyId, IReadOnlySet<string> Endorsements, string? ServiceUrl);

/// <summary>
/// Validates the <c>Authorization: Bearer</c> JWT of a Bot Framework request, as the Bot Framework's authentication rules
/// require (connector to bot): IdentityModel's <see cref="JsonWebTokenHandler"/> checks the RS256 signature by a key of
/// <see cref="BotFrameworkSigningKeys"/>, <c>iss</c> = <see cref="Issuer"/>, <c>aud</c> = <c>Teams:AppId</c>, and the
/// lifetime with <see cref="ClockSkew"/> on the injected clock. <see cref="CheckActivity"/> adds what IdentityModel
/// cannot know: the key's endorsements include the activity's channel, and the <c>serviceurl</c> claim is the activity's.
/// </summary>
internal sealed class BotFrameworkTokenValidator
{
    public const string Issuer = "https://api.botframework.com";
    public const string ServiceUrlClaim = "serviceurl";
    public const string TeamsChannelId = "msteams";
    public const string EndorsementsProperty = "endorsements";
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private readonly BotFrameworkSigningKeys _keys;
    private readonly IOptionsMonitor<TeamsOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<BotFrameworkTokenValidator> _logger;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public BotFrameworkTokenValidator(BotFrameworkSigningKeys keys, IOptionsMonitor<TeamsOptions> options, TimeProvider time, ILogger<BotFrameworkTokenValidator> logger)
    {
        _keys = keys;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Checks the <c>Authorization</c> header's bearer token. A token naming a key the cached set lacks makes the key set
    /// be fetched again (see <see cref="BotFrameworkSigningKeys.RequestRefresh"/>) and the token checked once more.
    /// </summary>
    public async Task<TeamsAuthResult> ValidateAsync(string? authorization, CancellationToken cancellationToken)
    {
        if (!TryReadBearer(authorization, out var token))
        {
            return TeamsAuthResult.Refused(TeamsAuthFailure.MissingToken, "no 'Authorization: Bearer' token");
        }

        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await _keys.GetAsync(cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            return MetadataUnavailable(ex);
        }

        var result = await _handler.ValidateTokenAsync(token, Parameters(configuration));
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // The Bot Framework adds keys at any time; a key we do not know may be one added since the last fetch.
            Log.UnknownSigningKeyRefresh(_logger, Shorten(KeyIdOf(token)));
            _keys.RequestRefresh();
            try
            {
                configuration = await _keys.GetAsync(cancellationToken);
            }
            catch (InvalidOperationException ex)
            {
                return MetadataUnavailable(ex);
            }
            result = await _handler.ValidateTokenAsync(token, Parameters(configuration));
        }

        if (!result.IsValid)
        {
            return Classify(result.Exception, token);
        }

        var signed = (JsonWebToken)result.SecurityToken;
        var keyId = signed.SigningKey?.KeyId ?? signed.Kid;
        var serviceUrl = signed.TryGetPayloadValue<string>(ServiceUrlClaim, out var claim) ? claim : null;
        return new TeamsAuthResult(TeamsAuthFailure.None, "valid", new ValidatedBotFrameworkToken(keyId, EndorsementsOf(configuration, keyId), serviceUrl));
    }

    /// <summary>
    /// The checks that need the activity: its <c>channelId</c> is endorsed by the signing key (else 403), is Teams (else
    /// 403: this bot answers Teams only), and its <c>serviceUrl</c> equals the token's <c>serviceurl</c> claim (else 401).
    /// </summary>
    public static TeamsAuthResult CheckActivity(ValidatedBotFrameworkToken token, TeamsActivity activity)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(activity);
        if (string.IsNullOrEmpty(activity.ChannelId))
        {
            return TeamsAuthResult.Refused(TeamsAuthFailure.ChannelNotEndorsed, "the activity names no channelId, so no endorsement can vouch for it");
        }
        if (!token.Endorsements.Contains(activity.ChannelId))
        {
            return TeamsAuthResult.Refused(TeamsAuthFailure.ChannelNotEndorsed,
                $"signing key '{Shorten(token.KeyId)}' is not endorsed for channel '{Shorten(activity.ChannelId)}'");
        }
        if (activity.ChannelId != TeamsChannelId)
        {
            return TeamsAuthResult.Refused(TeamsAuthFailure.NotTeams, $"channel '{Shorten(activity.ChannelId)}' is not Teams (msteams)");
        }
        if (string.IsNullOrEmpty(token.ServiceUrl))
        {
            return TeamsAuthResult.Refused(TeamsAuthFailure.MissingServiceUrlClaim, "the token has no 'serviceurl' claim");
        }
        // The SDKs compare ignoring case; the claim is signed, the activity's URL is what replies will go to.
        if (activity.ServiceUrl is null || !string.Equals(token.ServiceUrl, activity.ServiceUrl.OriginalString, StringComparison.OrdinalIgnoreCase))
        {
            return TeamsAuthResult.Refused(TeamsAuthFailure.ServiceUrlMismatch, "the token's 'serviceurl' claim is not the activity's serviceUrl");
        }
        return new TeamsAuthResult(TeamsAuthFailure.None, "valid", token);
    }

    private TokenValidationParameters Parameters(OpenIdConnectConfiguration configuration) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = _options.CurrentValue.AppId,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        IssuerSigningKeys = configuration.SigningKeys,
        // The token's kid must name a key of the set: no trying every key, so an unknown kid is told apart (and refreshes).
        TryAllIssuerSigningKeys = false,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        RequireAudience = true,
        ClockSkew = ClockSkew,
        LifetimeValidator = ValidateLifetime,
    };

    // IdentityModel reads the system clock for lifetimes; the bot's clock is the injected TimeProvider (tests fix it).
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (expires is not { } exp)
        {
            throw new SecurityTokenNoExpirationException("The token has no 'exp'.");
        }
        if (notBefore is { } nbf && nbf > exp)
        {
            throw new SecurityTokenInvalidLifetimeException("The token's 'nbf' is after its 'exp'.") { NotBefore = nbf, Expires = exp };
        }
        if (notBefore is { } start && start > now + ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = start };
        }
        if (exp < now - ClockSkew)
        {
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = exp };
        }
        return true;
    }

    private TeamsAuthResult Classify(Exception? exception, string token) => exception switch
    {
        SecurityTokenSignatureKeyNotFoundException => TeamsAuthResult.Refused(TeamsAuthFailure.UnknownSigningKey,
            $"signing key '{Shorten(KeyIdOf(token))}' is not in the Bot Framework key set (fetched again for it, at most once per {BotFrameworkSigningKeys.MinimumRefreshRequestInterval.TotalMinutes} minutes)"),
        SecurityTokenInvalidSignatureException => TeamsAuthResult.Refused(TeamsAuthFailure.BadSignature,
            "the signature is not a valid RS256 signature by the named key"),
        SecurityTokenInvalidIssuerException => TeamsAuthResult.Refused(TeamsAuthFailure.WrongIssuer, $"the issuer is not {Issuer}"),
        SecurityTokenInvalidAudienceException => TeamsAuthResult.Refused(TeamsAuthFailure.WrongAudience,
            "the audience is not this bot's Teams:AppId"),
        SecurityTokenExpiredException e => TeamsAuthResult.Refused(TeamsAuthFailure.Expired,
            $"the token expired at {e.Expires:O}, more than {ClockSkew.TotalMinutes} minutes before {_time.GetUtcNow():O}"),
        SecurityTokenNotYetValidException e => TeamsAuthResult.Refused(TeamsAuthFailure.NotYetValid,
            $"the token is valid only from {e.NotBefore:O}, more than {ClockSkew.TotalMinutes} minutes after {_time.GetUtcNow():O}"),
        SecurityTokenNoExpirationException => TeamsAuthResult.Refused(TeamsAuthFailure.NoExpiry, "the token has no expiry"),
        SecurityTokenMalformedException or ArgumentException => TeamsAuthResult.Refused(TeamsAuthFailure.MalformedToken, "the token is not a JWT"),
        _ => TeamsAuthResult.Refused(TeamsAuthFailure.InvalidToken, $"the token was refused ({exception?.GetType().Name ?? "no reason given"})"),
    };

    private TeamsAuthResult MetadataUnavailable(InvalidOperationException ex)
    {
        Log.MetadataUnavailable(_logger, ex, _keys.MetadataUrl);
        return TeamsAuthResult.Refused(TeamsAuthFailure.MetadataUnavailable, $"the signing keys could not be fetched from {_keys.MetadataUrl}");
    }

    /// <summary>The endorsements (channel ids) of key <paramref name="keyId"/> in the JWKS: a Bot Framework field IdentityModel keeps in AdditionalData.</summary>
    internal static IReadOnlySet<string> EndorsementsOf(OpenIdConnectConfiguration configuration, string? keyId)
    {
        var key = configuration.JsonWebKeySet?.Keys.FirstOrDefault(k => keyId is not null && string.Equals(k.Kid, keyId, StringComparison.Ordinal));
        if (key is null || !key.AdditionalData.TryGetValue(EndorsementsProperty, out var value))
        {
            return new HashSet<string>();
        }
        return value switch
        {
            JsonElement { ValueKind: JsonValueKind.Array } array => array.EnumerateArray()
                .Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal),
            IEnumerable<string> strings => strings.ToHashSet(StringComparer.Ordinal),
            IEnumerable<object> objects => objects.OfType<string>().ToHashSet(StringComparer.Ordinal),
            _ => new HashSet<string>(),
        };
    }

    private static bool TryReadBearer(string? authorization, out string token)
    {
        token = string.Empty;
        if (!AuthenticationHeaderValue.TryParse(authorization, out var header)
            || !string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrWhiteSpace(header.Parameter))
        {
            return false;
        }
        token = header.Parameter.Trim();
        return true;
    }

    private static string? KeyIdOf(string token)
    {
        try
        {
            return new JsonWebToken(token).Kid;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    // Key ids and channel ids come from the caller before anything vouches for them: keep log lines short.
    private static string Shorten(string? value) => value is null ? "(none)" : value.Length <= 64 ? value : value[..64] + "...";
}
