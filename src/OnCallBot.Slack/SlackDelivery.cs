using OnCallBot.Core.Ports;
using OnCallBot.Slack.WebApi;

namespace OnCallBot.Slack;

/// <summary>
/// Runs a Web API call for one of the core's ports, turning every way Slack can refuse into a
/// <see cref="ChatDeliveryException"/> with one line fit for the incident's timeline.
/// </summary>
internal static class SlackDelivery
{
    public static async Task<T> RunAsync<T>(SlackOptions options, Func<Task<T>> call, Func<SlackApiException, string> describe, CancellationToken cancellationToken)
    {
        if (!options.IsEnabled)
        {
            throw new ChatDeliveryException("Slack is off: set Slack:BotToken and Slack:SigningSecret or Slack:AppToken.");
        }
        try
        {
            return await call();
        }
        catch (SlackApiException ex)
        {
            throw new ChatDeliveryException(describe(ex), ex) { IsTransient = IsTransient(ex), RetryAfter = ex.RetryAfter };
        }
        catch (ArgumentException ex)
        {
            // An id from the on-call config that is not a Slack id: nothing was sent, and the config must change.
            throw new ChatDeliveryException($"Not sent to Slack: {ex.Message}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ChatDeliveryException($"Slack could not be reached: {ex.Message}", ex) { IsTransient = true };
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ChatDeliveryException("Slack did not answer in time (HTTP timeout).", ex) { IsTransient = true };
        }
    }

    // Slack's errors that say "not now" rather than "not this": trying again later may succeed.
    private static readonly HashSet<string> TransientErrors = new(StringComparer.Ordinal)
    {
        "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", SlackApiException.HttpErrorCode,
    };

    private static bool IsTransient(SlackApiException exception) =>
        TransientErrors.Contains(exception.Error) || exception.StatusCode is { } status && (int)status >= 500;
}
