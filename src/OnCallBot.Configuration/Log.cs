using Microsoft.Extensions.Logging;
using NodaTime;

namespace OnCallBot.Configuration;

internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "On-call config loaded from {Path} (sha256 {Sha256}): {Users} users, {Teams} teams, {Schedules} schedules, {Policies} escalation policies, {Services} services")]
    public static partial void ConfigLoaded(ILogger logger, string path, string sha256, int users, int teams, int schedules, int policies, int services);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "On-call config error: {Error}")]
    public static partial void ConfigError(ILogger logger, string error);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning,
        Message = "On-call config {Path} has {ErrorCount} error(s); the bot serves the last good config from {LoadedAt} (sha256 {Sha256}, read from {SnapshotPath}) until the file is fixed")]
    public static partial void ServingSnapshot(ILogger logger, string path, int errorCount, Instant loadedAt, string sha256, string snapshotPath);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning,
        Message = "On-call config {Path} has {ErrorCount} error(s) and was not applied; the bot keeps serving the config it had (sha256 {Sha256})")]
    public static partial void ReloadRejected(ILogger logger, string path, int errorCount, string sha256);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning,
        Message = "No on-call config file is set: the bot knows no users, teams, schedules or services. Set OnCall:ConfigPath (environment variable OnCall__ConfigPath) to the path of your oncall.yaml; see manifests/oncall.example.yaml")]
    public static partial void NoConfigPath(ILogger logger);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "On-call config {Path} changed on disk but its content is the one in force (sha256 {Sha256})")]
    public static partial void ConfigUnchanged(ILogger logger, string path, string sha256);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Error,
        Message = "Could not save the on-call config snapshot; the config is in force but a restart with a broken file could not fall back to it")]
    public static partial void SnapshotSaveFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Error, Message = "Reloading the on-call config {Path} after a change on disk failed")]
    public static partial void WatcherReloadFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning,
        Message = "Watching the on-call config directory {Directory} reported an error; reloading in case a change was missed")]
    public static partial void WatcherError(ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Watching {Path} for changes (reload after {Debounce} without further changes)")]
    public static partial void Watching(ILogger logger, string path, TimeSpan debounce);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Error, Message = "A handler of the on-call model Changed event failed")]
    public static partial void ChangedHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning,
        Message = "Cannot watch {Directory} for changes to the on-call config: {Reason}; changes will apply only after a restart")]
    public static partial void WatchUnavailable(ILogger logger, string directory, string reason);
}
