using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace OnCallBot.Slack.Inbound;

/// <summary>Why a Slack request was refused, or <see cref="None"/> when it was accepted.</summary>
public enum SlackVerificationFailure
{
    /// <summary>The request is authentic and fresh.</summary>
    None,

    /// <summary><c>Slack:SigningSecret</c> is not set, so nothing can be verified: every request is refused.</summary>
    NoSecretConfigured,

    /// <summary>The <c>X-Slack-Request-Timestamp</c> header is missing.</summary>
    MissingTimestamp,

    /// <summary>The <c>X-Slack-Signature</c> header is missing.</summary>
    MissingSignature,

    /// <summary>The timestamp is not a Unix time in seconds.</summary>
    MalformedTimestamp,

    /// <summary>The timestamp is more than 5 minutes away from now, in either direction (replay protection).</summary>
    StaleTimestamp,

    /// <summary>The signature does not match the body, timestamp and secret.</summary>
    BadSignature,
}

/// <summary>The outcome of <see cref="SlackRequestVerifier.Verify(string?, string?, ReadOnlySpan{byte})"/>, with a reason fit for logs (never the secret or signature).</summary>
/// <param name="Failure">Why the request was refused, or <see cref="SlackVerificationFailure.None"/>.</param>
/// <param name="Reason">A short description for logs.</param>
public sealed record SlackVerificationResult(SlackVerificationFailure Failure, string Reason)
{
    /// <summary>True when the request may be processed.</summary>
    public bool IsValid => Failure == SlackVerificationFailure.None;

    internal static SlackVerificationResult Valid { get; } = new(SlackVerificationFailure.None, "verified");
}

/// <summary>
/// Verifies Slack's v0 request signature: HMAC-SHA256 over <c>v0:{X-Slack-Request-Timestamp}:{raw body}</c> keyed
/// with <c>Slack:SigningSecret</c>, compared in constant time, with the timestamp within 5 minutes of the injected
/// clock. It fails closed: with no secret configured, nothing is accepted.
/// </summary>
public sealed class SlackRequestVerifier
{
    /// <summary>The header carrying <c>v0=&lt;hex&gt;</c>.</summary>
    public const string SignatureHeader = "X-Slack-Signature";

    /// <summary>The header carrying the Unix time the request was signed at.</summary>
    public const string TimestampHeader = "X-Slack-Request-Timestamp";

    /// <summary>How far the signed timestamp may be from now, either way.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private const string VersionPrefix = "v0=";

    private readonly IOptionsMonitor<SlackOptions> _options;
    private readonly TimeProvider _timeProvider;

    public SlackRequestVerifier(IOptionsMonitor<SlackOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>Checks one request's headers against its raw body bytes, exactly as received.</summary>
    public SlackVerificationResult Verify(string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> body) =>
        Verify(_options.CurrentValue.SigningSecret, timestampHeader, signatureHeader, body, _timeProvider.GetUtcNow());

    internal static SlackVerificationResult Verify(
        string? signingSecret, string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(signingSecret))
        {
            return new(SlackVerificationFailure.NoSecretConfigured, "Slack:SigningSecret is not configured, so no request can be verified");
        }
        if (string.IsNullOrWhiteSpace(timestampHeader))
        {
            return new(SlackVerificationFailure.MissingTimestamp, $"missing {TimestampHeader} header");
        }
        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return new(SlackVerificationFailure.MissingSignature, $"missing {SignatureHeader} header");
        }
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var unixSeconds) ||
            unixSeconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return new(SlackVerificationFailure.MalformedTimestamp, $"{TimestampHeader} is not a Unix time in seconds");
        }
        var skew = now - DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
        if (skew.Duration() > MaxClockSkew)
        {
            return new(SlackVerificationFailure.StaleTimestamp,
                $"{TimestampHeader} is {skew.Duration().TotalSeconds:F0} s away from now (at most {MaxClockSkew.TotalSeconds:F0} s allowed)");
        }

        var expected = ComputeSignature(signingSecret, timestampHeader, body);
        // Both sides are compared as bytes of the same length; a wrong prefix or length is simply a mismatch.
        var presented = Encoding.ASCII.GetBytes(signatureHeader.Trim().ToLowerInvariant());
        var expectedBytes = Encoding.ASCII.GetBytes(expected);
        return presented.Length == expectedBytes.Length && CryptographicOperations.FixedTimeEquals(presented, expectedBytes)
            ? SlackVerificationResult.Valid
            : new(SlackVerificationFailure.BadSignature, "signature does not match the body and timestamp");
    }

    /// <summary>Computes <c>v0=&lt;lowercase hex&gt;</c> for a timestamp and body: what Slack sends, and what tests sign with.</summary>
    public static string ComputeSignature(string signingSecret, string timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(signingSecret);
        ArgumentNullException.ThrowIfNull(timestamp);
        var prefix = Encoding.UTF8.GetBytes($"v0:{timestamp}:");
        var baseString = new byte[prefix.Length + body.Length];
        prefix.CopyTo(baseString, 0);
        body.CopyTo(baseString.AsSpan(prefix.Length));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), baseString);
        return VersionPrefix + Convert.ToHexStringLower(mac);
    }
}
