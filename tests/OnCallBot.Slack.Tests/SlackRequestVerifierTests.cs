using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OnCallBot.Slack.Inbound;
using OnCallBot.TestKit;

namespace OnCallBot.Slack.Tests;

public sealed class SlackRequestVerifierTests
{
    private const string DocsSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string DocsTimestamp = "1531420618";
    private static readonly DateTimeOffset DocsNow = DateTimeOffset.FromUnixTimeSeconds(1531420618);

    private static JsonElement Vectors() =>
        JsonDocument.Parse(SharedFixtures.ReadText("slack/signing/slack_request_signing_test_vectors.json")).RootElement.GetProperty("vectors");

    private static (string Body, string Signature) DocsExample()
    {
        var vector = Vectors().EnumerateArray().Single(v => v.GetProperty("name").GetString() == "slack_docs_worked_example");
        return (vector.GetProperty("body").GetString()!, vector.GetProperty("expected_signature").GetString()!);
    }

    private static SlackRequestVerifier Verifier(string? secret, DateTimeOffset now) =>
        new(new StaticOptions(new SlackOptions { BotToken = "xoxb-1", SigningSecret = secret }), new FakeTimeProvider(now));

    [SharedFixtureFact]
    public void Verify_SlackDocsWorkedExample_Accepted()
    {
        var (body, signature) = DocsExample();

        var result = Verifier(DocsSecret, DocsNow).Verify(DocsTimestamp, signature, Encoding.UTF8.GetBytes(body));

        Assert.True(result.IsValid, result.Reason);
    }

    [SharedFixtureFact]
    public void Verify_EveryFixtureVector_MatchesItsExpectedValidity()
    {
        foreach (var vector in Vectors().EnumerateArray())
        {
            var timestamp = vector.GetProperty("timestamp").GetString()!;
            var signature = vector.TryGetProperty("expected_signature", out var expected) ? expected.GetString() : vector.GetProperty("presented_signature").GetString();
            var verifier = Verifier(vector.GetProperty("signing_secret").GetString(), DateTimeOffset.FromUnixTimeSeconds(long.Parse(timestamp)));

            var result = verifier.Verify(timestamp, signature, Encoding.UTF8.GetBytes(vector.GetProperty("body").GetString()!));

            Assert.True(vector.GetProperty("valid").GetBoolean() == result.IsValid, $"{vector.GetProperty("name")}: {result.Reason}");
        }
    }

    [SharedFixtureFact]
    public void Verify_ChangedBody_RefusedAsBadSignature()
    {
        var (body, signature) = DocsExample();

        var result = Verifier(DocsSecret, DocsNow).Verify(DocsTimestamp, signature, Encoding.UTF8.GetBytes(body.Replace("text=&", "text=x&", StringComparison.Ordinal)));

        Assert.Equal(SlackVerificationFailure.BadSignature, result.Failure);
    }

    [SharedFixtureFact]
    public void Verify_WrongSecret_RefusedAsBadSignature()
    {
        var (body, signature) = DocsExample();

        var result = Verifier("another-secret", DocsNow).Verify(DocsTimestamp, signature, Encoding.UTF8.GetBytes(body));

        Assert.Equal(SlackVerificationFailure.BadSignature, result.Failure);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(-3600)]
    public void Verify_TimestampMoreThanFiveMinutesFromNow_RefusedAsStale(int offsetSeconds)
    {
        var body = "{\"foo\":\"bar\"}"u8.ToArray();
        var signedAt = DocsNow.AddSeconds(offsetSeconds);
        var timestamp = signedAt.ToUnixTimeSeconds().ToString();
        var signature = SlackRequestVerifier.ComputeSignature("secret", timestamp, body);

        var result = Verifier("secret", DocsNow).Verify(timestamp, signature, body);

        Assert.Equal(SlackVerificationFailure.StaleTimestamp, result.Failure);
    }

    [Theory]
    [InlineData(-299)]
    [InlineData(299)]
    public void Verify_TimestampWithinFiveMinutes_Accepted(int offsetSeconds)
    {
        var body = "{\"foo\":\"bar\"}"u8.ToArray();
        var timestamp = DocsNow.AddSeconds(offsetSeconds).ToUnixTimeSeconds().ToString();
        var signature = SlackRequestVerifier.ComputeSignature("secret", timestamp, body);

        var result = Verifier("secret", DocsNow).Verify(timestamp, signature, body);

        Assert.True(result.IsValid, result.Reason);
    }

    [Fact]
    public void Verify_JsonBodyVectorFromBoltJs_Accepted()
    {
        var result = Verifier("secret", DocsNow).Verify(DocsTimestamp, "v0=bb5bc143e1afa37151ea6887f794287bcfad6113bb7596ffca6ec599ecbdc216", "{\"foo\":\"bar\"}"u8);

        Assert.True(result.IsValid, result.Reason);
    }

    [Theory]
    [InlineData(null, "v0=abc", SlackVerificationFailure.MissingTimestamp)]
    [InlineData("", "v0=abc", SlackVerificationFailure.MissingTimestamp)]
    [InlineData("1531420618", null, SlackVerificationFailure.MissingSignature)]
    [InlineData("yesterday", "v0=abc", SlackVerificationFailure.MalformedTimestamp)]
    [InlineData("-5", "v0=abc", SlackVerificationFailure.MalformedTimestamp)]
    [InlineData("1531420618", "v0=abc", SlackVerificationFailure.BadSignature)]
    [InlineData("1531420618", "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", SlackVerificationFailure.BadSignature)]
    public void Verify_MissingOrMalformedHeaders_Refused(string? timestamp, string? signature, SlackVerificationFailure expected)
    {
        var result = Verifier(DocsSecret, DocsNow).Verify(timestamp, signature, "token=x"u8);

        Assert.Equal(expected, result.Failure);
        Assert.False(result.IsValid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Verify_NoSecretConfigured_RefusedEvenWithACorrectlyComputedSignature(string? secret)
    {
        var body = "token=x"u8.ToArray();
        var signature = SlackRequestVerifier.ComputeSignature("anything", DocsTimestamp, body);

        var result = Verifier(secret, DocsNow).Verify(DocsTimestamp, signature, body);

        Assert.Equal(SlackVerificationFailure.NoSecretConfigured, result.Failure);
    }

    [Fact]
    public void Verify_RefusalReason_NeverContainsSecretOrSignature()
    {
        var body = "token=x"u8.ToArray();
        var signature = SlackRequestVerifier.ComputeSignature("wrong", DocsTimestamp, body);

        var result = Verifier(DocsSecret, DocsNow).Verify(DocsTimestamp, signature, body);

        Assert.DoesNotContain(DocsSecret, result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(signature[3..], result.Reason, StringComparison.Ordinal);
    }

    internal sealed class StaticOptions(SlackOptions value) : IOptionsMonitor<SlackOptions>
    {
        public SlackOptions CurrentValue => value;

        public SlackOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<SlackOptions, string?> listener) => null;
    }
}
