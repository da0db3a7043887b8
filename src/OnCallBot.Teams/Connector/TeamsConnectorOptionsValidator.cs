using Microsoft.Extensions.Options;

namespace OnCallBot.Teams.Connector;

/// <summary>Stops the host at start when an outbound Teams setting is wrong, saying how to fix it (never echoing the secret).</summary>
internal sealed class TeamsConnectorOptionsValidator : IValidateOptions<TeamsOptions>
{
    public ValidateOptionsResult Validate(string? name, TeamsOptions options)
    {
        var failures = new List<string>();
        if (options.TokenEndpoint is { OriginalString.Length: > 0 } endpoint
            && (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add("Teams:TokenEndpoint must be an absolute http(s) URL such as https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token, or empty for that default.");
        }
        if (!string.IsNullOrWhiteSpace(options.TenantId)
            && (options.TenantId.Trim().Length > 128 || !options.TenantId.Trim().All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
        {
            failures.Add("Teams:TenantId must be the Entra tenant id (a GUID, or a domain such as contoso.onmicrosoft.com), or empty for a multi-tenant bot.");
        }
        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add("Teams:MaxRetries must be from 0 to 10.");
        }
        if (options.RetryBaseDelay <= TimeSpan.Zero || options.RetryBaseDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add("Teams:RetryBaseDelay must be more than 0 and at most 00:01:00, e.g. 00:00:01.");
        }
        if (options.MaxRetryAfter <= TimeSpan.Zero || options.MaxRetryAfter > TimeSpan.FromMinutes(5))
        {
            failures.Add("Teams:MaxRetryAfter must be more than 0 and at most 00:05:00, e.g. 00:00:30.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
