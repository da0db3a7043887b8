using Microsoft.Extensions.Options;

namespace OnCallBot.Teams.Inbound;

/// <summary>Checks the inbound settings at start, so a bad metadata URL stops the host instead of refusing every request later.</summary>
internal sealed class TeamsInboundOptionsValidator : IValidateOptions<TeamsOptions>
{
    public ValidateOptionsResult Validate(string? name, TeamsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var url = options.OpenIdMetadataUrl;
        if (url is null || !url.IsAbsoluteUri)
        {
            return ValidateOptionsResult.Fail(
                $"Teams:OpenIdMetadataUrl must be an absolute URL; leave it out to use {TeamsOptions.DefaultOpenIdMetadataUrl}.");
        }
        if (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback))
        {
            return ValidateOptionsResult.Fail(
                $"Teams:OpenIdMetadataUrl '{url}' must use https (plain http only on a loopback address); leave it out to use {TeamsOptions.DefaultOpenIdMetadataUrl}.");
        }
        return ValidateOptionsResult.Success;
    }
}
