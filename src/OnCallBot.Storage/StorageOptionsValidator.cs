using Microsoft.Extensions.Options;

namespace OnCallBot.Storage;

/// <summary>Stops the host at start with a message naming the key to fix when <see cref="StorageOptions"/> is invalid.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        StorageSettings.TryResolve(options, out _, out var error)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(error);
}
