using Microsoft.Extensions.Options;

namespace OnCallBot.Slack;

/// <summary>Stops the host at start when a Slack setting is present but wrong, saying how to fix it.</summary>
internal sealed class SlackOptionsValidator : IValidateOptions<SlackOptions>
{
    public ValidateOptionsResult Validate(string? name, SlackOptions options)
    {
        var failures = new List<string>();
        // Token values are never echoed: only their expected shape.
        if (!string.IsNullOrWhiteSpace(options.BotToken) && !options.BotToken.StartsWith("xoxb-", StringComparison.Ordinal))
        {
            failures.Add("Slack:BotToken must be a bot token starting with 'xoxb-' (Slack app > OAuth & Permissions > Bot User OAuth Token).");
        }
        if (!string.IsNullOrWhiteSpace(options.AppToken) && !options.AppToken.StartsWith("xapp-", StringComparison.Ordinal))
        {
            failures.Add("Slack:AppToken must be an app-level token starting with 'xapp-' (Slack app > Basic Information > App-Level Tokens, scope connections:write).");
        }
        if (options.ApiBaseUrl is null || !options.ApiBaseUrl.IsAbsoluteUri ||
            (options.ApiBaseUrl.Scheme != Uri.UriSchemeHttps && options.ApiBaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("Slack:ApiBaseUrl must be an absolute http(s) URL such as https://slack.com/api/.");
        }
        if (options.MaxRequestBodyBytes < 4096)
        {
            failures.Add("Slack:MaxRequestBodyBytes must be at least 4096; Slack's payloads are larger than that.");
        }
        if (options.EventDeduplicationWindow <= TimeSpan.Zero)
        {
            failures.Add("Slack:EventDeduplicationWindow must be positive, e.g. 01:00:00.");
        }
        if (options.MaxRateLimitRetries < 0)
        {
            failures.Add("Slack:MaxRateLimitRetries must be 0 or more.");
        }
        if (options.MaxRetryAfter <= TimeSpan.Zero)
        {
            failures.Add("Slack:MaxRetryAfter must be positive, e.g. 00:02:00.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
