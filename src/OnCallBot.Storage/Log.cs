using Microsoft.Extensions.Logging;

namespace OnCallBot.Storage;

internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Created the data directory {Directory}")]
    public static partial void CreatedDataDirectory(ILogger logger, string directory);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Applied migration {Version} ({Name}) to {Database}")]
    public static partial void AppliedMigration(ILogger logger, int version, string name, string database);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Store schema of {Database} is up to date at version {Version}")]
    public static partial void SchemaUpToDate(ILogger logger, string database, int version);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Checking the store schema of {Database}")]
    public static partial void CheckingSchema(ILogger logger, string database);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Saved config snapshot of {SourcePath} ({Sha256})")]
    public static partial void SnapshotSaved(ILogger logger, string sourcePath, string sha256);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Debug, Message = "Config snapshot of {SourcePath} unchanged ({Sha256}); not saved again")]
    public static partial void SnapshotUnchanged(ILogger logger, string sourcePath, string sha256);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Added override {OverrideId} on schedule {ScheduleId} for {UserId}")]
    public static partial void OverrideAdded(ILogger logger, Guid overrideId, string scheduleId, string userId);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Information, Message = "Removed override {OverrideId}")]
    public static partial void OverrideRemoved(ILogger logger, Guid overrideId);
}
