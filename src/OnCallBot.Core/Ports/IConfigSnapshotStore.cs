using NodaTime;

namespace OnCallBot.Core.Ports;

/// <summary>
/// The text of an on-call config file that validated, as it was loaded. Keeping it in the store lets the
/// bot start on the last good config when the file on disk is broken.
/// </summary>
public sealed record ConfigSnapshot(string SourcePath, string Content, string Sha256, Instant LoadedAt);

/// <summary>Port to where the last good on-call config is kept.</summary>
public interface IConfigSnapshotStore
{
    /// <summary>The most recently saved snapshot, or null when none was ever saved.</summary>
    Task<ConfigSnapshot?> GetLatestAsync(CancellationToken cancellationToken);

    /// <summary>Saves a snapshot; saving content whose hash equals the latest one's is a no-op.</summary>
    Task SaveAsync(ConfigSnapshot snapshot, CancellationToken cancellationToken);
}
