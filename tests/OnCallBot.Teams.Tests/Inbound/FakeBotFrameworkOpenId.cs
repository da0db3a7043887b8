using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OnCallBot.Teams.Tests.Inbound;

/// <summary>An RSA signing key with its kid, as the Bot Framework publishes one (with endorsements) and signs with it.</summary>
public sealed class TestSigningKey : IDisposable
{
    public TestSigningKey(string kid, params string[] endorsements)
    {
        Kid = kid;
        Endorsements = endorsements;
        Rsa = RSA.Create(2048);
    }

    public string Kid { get; }

    public string[] Endorsements { get; set; }

    public RSA Rsa { get; }

    /// <summary>The key as a JWKS entry: public part only, plus the Bot Framework's <c>endorsements</c>.</summary>
    public JsonObject ToJwk()
    {
        var parameters = Rsa.ExportParameters(includePrivateParameters: false);
        var jwk = new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = Kid,
            ["x5t"] = Kid,
            ["n"] = Base64Url.EncodeToString(parameters.Modulus),
            ["e"] = Base64Url.EncodeToString(parameters.Exponent),
        };
        if (Endorsements.Length > 0)
        {
            jwk["endorsements"] = new JsonArray([.. Endorsements.Select(e => JsonValue.Create(e))]);
        }
        return jwk;
    }

    public void Dispose() => Rsa.Dispose();
}

/// <summary>What a test token says; defaults are those of a genuine Bot Framework token for <see cref="TeamsTestHost.AppId"/>.</summary>
public sealed record TestToken
{
    public string Issuer { get; init; } = "https://api.botframework.com";
    public string Audience { get; init; } = TeamsTestHost.AppId;
    public string? ServiceUrl { get; init; } = TeamsTestHost.ServiceUrl;
    public DateTimeOffset? NotBefore { get; init; }
    public DateTimeOffset? Expires { get; init; }
    public string Algorithm { get; init; } = SecurityAlgorithms.RsaSha256;

    /// <summary>Signs this token with <paramref name="key"/> (its RSA key and kid) at <paramref name="now"/>: valid from 5 minutes before, for an hour.</summary>
    public string SignWith(TestSigningKey key, DateTimeOffset now, string? kid = null) =>
        SignWith(key.Rsa, kid ?? key.Kid, now);

    public string SignWith(RSA rsa, string kid, DateTimeOffset now)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var claims = new Dictionary<string, object>();
        if (ServiceUrl is not null)
        {
            claims["serviceurl"] = ServiceUrl;
        }
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            NotBefore = (NotBefore ?? now.AddMinutes(-5)).UtcDateTime,
            Expires = (Expires ?? now.AddHours(1)).UtcDateTime,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = kid }, Algorithm),
            Subject = new ClaimsIdentity(),
        };
        return handler.CreateToken(descriptor);
    }
}

/// <summary>
/// The Bot Framework's OpenID metadata and JWKS, served over loopback HTTP: the metadata's <c>jwks_uri</c> points back
/// here, the key set can change while the test runs (a rotation), and every download is counted.
/// </summary>
public sealed class FakeBotFrameworkOpenId : IAsyncDisposable
{
    public const string MetadataPath = "/v1/.well-known/openidconfiguration";
    public const string KeysPath = "/v1/.well-known/keys";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _requests = new();
    private volatile JsonObject[] _keys = [];

    private FakeBotFrameworkOpenId(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public Uri MetadataUrl => new(BaseUrl, MetadataPath);

    /// <summary>Paths requested so far, in order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public int MetadataDownloads => Requests.Count(r => r == MetadataPath);

    public int KeyDownloads => Requests.Count(r => r == KeysPath);

    /// <summary>When set, both documents answer this status instead (the metadata endpoint is down).</summary>
    public int? FailWith { get; set; }

    /// <summary>Serves exactly these keys from now on.</summary>
    public void Publish(params TestSigningKey[] keys) => _keys = [.. keys.Select(k => k.ToJwk())];

    /// <summary>Serves these JWKS entries as they are (e.g. the real Bot Framework key from the shared fixtures).</summary>
    public void PublishRaw(params JsonObject[] keys) => _keys = keys;

    public static async Task<FakeBotFrameworkOpenId> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeBotFrameworkOpenId(app);
        app.MapGet(MetadataPath, context => server.ServeAsync(context, MetadataPath, () => new JsonObject
        {
            ["issuer"] = "https://api.botframework.com",
            ["authorization_endpoint"] = "https://invalid.botframework.com",
            ["jwks_uri"] = new Uri(server.BaseUrl, KeysPath).AbsoluteUri,
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            ["token_endpoint_auth_methods_supported"] = new JsonArray("private_key_jwt"),
        }));
        app.MapGet(KeysPath, context => server.ServeAsync(context, KeysPath, () => new JsonObject
        {
            ["keys"] = new JsonArray([.. server._keys.Select(k => k.DeepClone())]),
        }));
        await app.StartAsync();
        server.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    private async Task ServeAsync(HttpContext context, string path, Func<JsonObject> document)
    {
        _requests.Enqueue(path);
        if (FailWith is { } status)
        {
            context.Response.StatusCode = status;
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(document().ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
