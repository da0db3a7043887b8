using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using OnCallBot.Core.Model;
using OnCallBot.Core.Ports;

namespace OnCallBot.Configuration;

/// <summary>
/// Serves the on-call model from the YAML file at <see cref="OnCallOptions.ConfigPath"/> and reloads it when the
/// file changes. An invalid file never replaces the model in force: its errors are logged and returned, and the bot
/// keeps serving the last good version. At start, an invalid file falls back to the last good config kept through
/// <see cref="IConfigSnapshotStore"/>; with neither, start fails with every error listed.
/// </summary>
/// <remarks>
/// <see cref="StartAsync"/> must run before <see cref="Current"/> is read; the hosted service registered by
/// <c>AddOnCallConfiguration</c> does it, so register it before parts that read the model when they start.
/// </remarks>
public sealed class OnCallModelFileProvider : IOnCallModelProvider, IDisposable
{
    private const string NotStarted =
        "The on-call config has not been loaded yet: OnCallModelFileProvider.StartAsync runs from the hosted service that " +
        "AddOnCallConfiguration() registers; register it before services that read the on-call model at start.";

    private readonly OnCallOptions _options;
    private readonly IConfigSnapshotStore _snapshots;
    private readonly TimeProvider _time;
    private readonly ILogger<OnCallModelFileProvider> _logger;

    // One load at a time, so a slow reload cannot overwrite a newer one that finished first.
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private readonly Lock _watchGate = new();
    private readonly CancellationTokenSource _stopping = new();

    private Loaded? _loaded;
    private IReadOnlyList<ConfigError> _lastReloadErrors = [];
    private FileSystemWatcher? _watcher;
    private ITimer? _debounce;
    private Task _lastWatcherReload = Task.CompletedTask;
    private int _watcherReloads;
    private bool _started;
    private bool _stopped;

    public OnCallModelFileProvider(
        IOptions<OnCallOptions> options,
        IConfigSnapshotStore snapshots,
        TimeProvider time,
        ILogger<OnCallModelFileProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _snapshots = snapshots;
        _time = time;
        _logger = logger;
        ConfigPath = string.IsNullOrWhiteSpace(_options.ConfigPath) ? null : Path.GetFullPath(_options.ConfigPath);
    }

    /// <summary>Raised after a reload swapped in a new valid model (not at start, and not for an unchanged file).</summary>
    public event EventHandler<OnCallModelChangedEventArgs>? Changed;

    /// <summary>Raised (tests only) when the watcher reports a change to the config file, before the debounce.</summary>
    internal event Action? FileChangeObserved;

    /// <summary>The absolute path of the config file, or null when <c>OnCall:ConfigPath</c> is not set.</summary>
    public string? ConfigPath { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">Before <see cref="StartAsync"/> has loaded a config.</exception>
    public OnCallModel Current => (Volatile.Read(ref _loaded) ?? throw new InvalidOperationException(NotStarted)).Model;

    /// <summary>SHA-256 of the config text in force (empty for the empty model), or null before start.</summary>
    public string? CurrentSha256 => Volatile.Read(ref _loaded)?.Sha256;

    /// <summary>
    /// The errors of the most recent load that was not applied (including a start that fell back to the stored
    /// snapshot); empty once a valid file has been loaded. Lets a status command say "the file on disk is broken".
    /// </summary>
    public IReadOnlyList<ConfigError> LastReloadErrors => Volatile.Read(ref _lastReloadErrors);

    /// <summary>How many reloads the change watcher has triggered (tests observe the debounce with it).</summary>
    internal int WatcherReloadCount => Volatile.Read(ref _watcherReloads);

    /// <summary>The reload the change watcher triggered last (tests await it).</summary>
    internal Task LastWatcherReload => Volatile.Read(ref _lastWatcherReload);

    /// <summary>
    /// Loads the config: the file when valid (and saves it as the last good snapshot), else the stored snapshot;
    /// then starts watching the file when <see cref="OnCallOptions.WatchForChanges"/> is set.
    /// </summary>
    /// <exception cref="OnCallConfigException">The file is invalid or missing and no usable snapshot is stored.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_started)
        {
            return;
        }
        if (ConfigPath is null)
        {
            Volatile.Write(ref _loaded, new Loaded(OnCallModel.Empty, string.Empty));
            Log.NoConfigPath(_logger);
            _started = true;
            return;
        }

        await _reloadGate.WaitAsync(cancellationToken);
        try
        {
            var result = await OnCallConfigLoader.LoadAsync(ConfigPath, _options.MaxConfigBytes, cancellationToken);
            if (result.IsValid)
            {
                Apply(result);
                await SaveSnapshotAsync(result, cancellationToken);
            }
            else
            {
                await FallBackToSnapshotAsync(result, cancellationToken);
            }
        }
        finally
        {
            _reloadGate.Release();
        }
        _started = true;

        if (_options.WatchForChanges)
        {
            StartWatching(ConfigPath);
        }
    }

    /// <summary>Stops watching the file and waits for a reload the watcher started to finish.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        StopWatching();
        try
        {
            await LastWatcherReload.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host gave up waiting; the reload observes the stopping token and ends on its own.
        }
    }

    /// <summary>
    /// Reads and validates the file again. A valid file whose content differs from the one in force replaces the
    /// model atomically and becomes the stored snapshot; an invalid one changes nothing and its errors are logged
    /// and returned.
    /// </summary>
    public async Task<ConfigLoadResult> ReloadAsync(CancellationToken cancellationToken)
    {
        if (ConfigPath is null)
        {
            const string source = "OnCall:ConfigPath";
            return ConfigLoadResult.Failure(
                source,
                [new ConfigError(source, 0, 0, "no on-call config file is set: set OnCall:ConfigPath to the path of your oncall.yaml")],
                null,
                string.Empty);
        }

        await _reloadGate.WaitAsync(cancellationToken);
        try
        {
            var result = await OnCallConfigLoader.LoadAsync(ConfigPath, _options.MaxConfigBytes, cancellationToken);
            var current = Volatile.Read(ref _loaded);
            if (!result.IsValid)
            {
                foreach (var error in result.Errors)
                {
                    Log.ConfigError(_logger, error.ToString());
                }
                Volatile.Write(ref _lastReloadErrors, result.Errors);
                Log.ReloadRejected(_logger, ConfigPath, result.Errors.Count, current?.Sha256 ?? "none");
                return result;
            }

            Volatile.Write(ref _lastReloadErrors, []);
            if (current is not null && current.Sha256 == result.Sha256)
            {
                Log.ConfigUnchanged(_logger, ConfigPath, result.Sha256);
                return result;
            }
            Apply(result);
            await SaveSnapshotAsync(result, cancellationToken);
            if (current is not null)
            {
                RaiseChanged(new OnCallModelChangedEventArgs(current.Model, result.Model, result.Sha256));
            }
            return result;
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    public void Dispose() => StopWatching();

    /// <summary>
    /// What the watcher calls for every change to the file: (re)arms the debounce timer, so a burst of writes
    /// leads to one reload, <see cref="OnCallOptions.ReloadDebounce"/> after the last of them.
    /// </summary>
    internal void OnFileSystemChange()
    {
        lock (_watchGate)
        {
            if (_stopped)
            {
                return;
            }
            _debounce ??= _time.CreateTimer(
                static state => ((OnCallModelFileProvider)state!).OnDebounceElapsed(),
                this,
                Timeout.InfiniteTimeSpan,
                Timeout.InfiniteTimeSpan);
            _debounce.Change(_options.ReloadDebounce, Timeout.InfiniteTimeSpan);
        }
        FileChangeObserved?.Invoke();
    }

    private void OnDebounceElapsed()
    {
        Interlocked.Increment(ref _watcherReloads);
        Volatile.Write(ref _lastWatcherReload, ReloadAfterChangeAsync());
    }

    private async Task ReloadAfterChangeAsync()
    {
        try
        {
            await ReloadAsync(_stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: the model in force stays; nothing to report.
        }
        catch (Exception ex)
        {
            // A timer callback has nobody to rethrow to; the model in force stays and the next change retries.
            Log.WatcherReloadFailed(_logger, ConfigPath ?? string.Empty, ex);
        }
    }

    private void Apply(ConfigLoadResult result)
    {
        var model = result.Model!;
        Interlocked.Exchange(ref _loaded, new Loaded(model, result.Sha256));
        Volatile.Write(ref _lastReloadErrors, []);
        Log.ConfigLoaded(_logger, result.Source, result.Sha256, model.Users.Count, model.Teams.Count,
            model.Schedules.Count, model.Policies.Count, model.Services.Count);
    }

    private async Task FallBackToSnapshotAsync(ConfigLoadResult result, CancellationToken cancellationToken)
    {
        foreach (var error in result.Errors)
        {
            Log.ConfigError(_logger, error.ToString());
        }
        var errorList = string.Join(Environment.NewLine, result.Errors.Select(e => "  " + e));

        ConfigSnapshot? snapshot;
        try
        {
            snapshot = await _snapshots.GetLatestAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new OnCallConfigException(
                $"The on-call config {ConfigPath} is invalid, and the last good config could not be read from the store ({ex.Message}). Fix these errors and start again:{Environment.NewLine}{errorList}",
                result.Errors,
                ex);
        }
        if (snapshot is null)
        {
            throw new OnCallConfigException(
                $"The on-call config {ConfigPath} is invalid and no last good config is stored to fall back on. Fix these errors and start again:{Environment.NewLine}{errorList}",
                result.Errors);
        }

        var fromSnapshot = OnCallConfigLoader.Parse(snapshot.Content, $"{snapshot.SourcePath} (snapshot of {snapshot.LoadedAt})");
        if (!fromSnapshot.IsValid)
        {
            // A snapshot from an older version of the bot may fail newer validation rules.
            var all = result.Errors.Concat(fromSnapshot.Errors).ToList();
            throw new OnCallConfigException(
                $"The on-call config {ConfigPath} is invalid, and so is the last good config stored from {snapshot.LoadedAt}. Fix the file and start again:{Environment.NewLine}{string.Join(Environment.NewLine, all.Select(e => "  " + e))}",
                all);
        }

        Volatile.Write(ref _loaded, new Loaded(fromSnapshot.Model, fromSnapshot.Sha256));
        Volatile.Write(ref _lastReloadErrors, result.Errors);
        Log.ServingSnapshot(_logger, ConfigPath!, result.Errors.Count, snapshot.LoadedAt, snapshot.Sha256, snapshot.SourcePath);
    }

    private async Task SaveSnapshotAsync(ConfigLoadResult result, CancellationToken cancellationToken)
    {
        var snapshot = new ConfigSnapshot(ConfigPath!, result.Content!, result.Sha256, Instant.FromDateTimeOffset(_time.GetUtcNow()));
        try
        {
            await _snapshots.SaveAsync(snapshot, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The file is valid and already in force; refusing it because the store is down would be worse.
            Log.SnapshotSaveFailed(_logger, ex);
        }
    }

    private void RaiseChanged(OnCallModelChangedEventArgs args)
    {
        foreach (var handler in Changed?.GetInvocationList().Cast<EventHandler<OnCallModelChangedEventArgs>>() ?? [])
        {
            try
            {
                handler(this, args);
            }
            catch (Exception ex)
            {
                // One subscriber's failure must not undo the reload or starve the others.
                Log.ChangedHandlerFailed(_logger, ex);
            }
        }
    }

    private void StartWatching(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        var fileName = Path.GetFileName(path);
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

        // Editors save by writing a temporary file and renaming it over the original, and Kubernetes swaps a
        // mounted ConfigMap by renaming its "..data" link, so the whole directory is watched, renames included.
        bool Concerns(string? name) =>
            name is not null && (string.Equals(name, fileName, comparison) || name.StartsWith("..", StringComparison.Ordinal));

        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(directory)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite
                    | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, e) => { if (Concerns(e.Name)) { OnFileSystemChange(); } };
            watcher.Created += (_, e) => { if (Concerns(e.Name)) { OnFileSystemChange(); } };
            watcher.Deleted += (_, e) => { if (Concerns(e.Name)) { OnFileSystemChange(); } };
            watcher.Renamed += (_, e) => { if (Concerns(e.Name) || Concerns(e.OldName)) { OnFileSystemChange(); } };
            watcher.Error += (_, e) =>
            {
                Log.WatcherError(_logger, directory, e.GetException());
                OnFileSystemChange();
            };
            watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or PlatformNotSupportedException)
        {
            watcher?.Dispose();
            Log.WatchUnavailable(_logger, directory, ex.Message);
            return;
        }

        lock (_watchGate)
        {
            if (_stopped)
            {
                watcher.Dispose();
                return;
            }
            _watcher = watcher;
        }
        Log.Watching(_logger, path, _options.ReloadDebounce);
    }

    private void StopWatching()
    {
        lock (_watchGate)
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            _watcher?.Dispose();
            _watcher = null;
            _debounce?.Dispose();
            _debounce = null;
        }
        _stopping.Cancel();
    }

    private sealed record Loaded(OnCallModel Model, string Sha256);
}
