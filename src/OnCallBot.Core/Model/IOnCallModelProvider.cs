namespace OnCallBot.Core.Model;

/// <summary>
/// The on-call model currently in force. Reads are lock-free and always see one whole, validated version;
/// a reload swaps the instance, so callers should read <see cref="Current"/> once per operation.
/// </summary>
public interface IOnCallModelProvider
{
    OnCallModel Current { get; }
}
