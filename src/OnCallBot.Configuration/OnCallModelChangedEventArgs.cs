using OnCallBot.Core.Model;

namespace OnCallBot.Configuration;

/// <summary>A reload swapped in a new, valid model.</summary>
public sealed class OnCallModelChangedEventArgs(OnCallModel previous, OnCallModel current, string sha256) : EventArgs
{
    public OnCallModel Previous { get; } = previous;

    public OnCallModel Current { get; } = current;

    /// <summary>SHA-256 of the file text the new model was built from.</summary>
    public string Sha256 { get; } = sha256;
}
