using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using OnCallBot.Core.Model;
using OnCallBot.Core.Ports;
using OnCallBot.TestKit;

namespace OnCallBot.Configuration.Tests;

/// <summary>The provider against real files in a temp folder, a real in-memory snapshot store and a fake clock.</summary>
public sealed class ProviderTests : IDisposable
{
    private static readonly string ValidV1 = Yaml.Lines(
        "users:",
        "  - { id: alice, name: Alice, time_zone: Europe/Berlin }",
        "teams: [ { id: payments, name: Payments, members: [alice] } ]",
        "escalation_policies: [ { id: payments, name: Payments, levels: [ { timeout: 5m, targets: [ { user: alice } ] } ] } ]",
        "services:",
        "  - { id: checkout, name: Checkout, team: payments, escalation_policy: payments }");

    private static readonly string ValidV2 = ValidV1 + Yaml.Lines(
        "  - { id: ledger, name: Ledger, team: payments, escalation_policy: payments }");

    // Line 4 has a bad time zone at column 16.
    private static readonly string Invalid = Yaml.Lines(
        "users:",
        "  - id: alice",
        "    name: Alice",
        "    time_zone: Europe/Berln");

    private readonly TempDirectory _dir = new();
    private readonly InMemorySnapshotStore _store = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
    private readonly ListLogger<OnCallModelFileProvider> _logger = new();

    public void Dispose() => _dir.Dispose();

    private string ConfigFile => _dir.File("oncall.yaml");

    // 30,000 lists inside each other: YamlDotNet's recursive document model overflowed the stack on this.
    private static readonly string NestedTooDeep = "users: " + new string('[', 30_000) + new string(']', 30_000) + "\n";

    private OnCallModelFileProvider CreateProvider(string? path = null, bool watch = false, TimeSpan? debounce = null, long? maxConfigBytes = null) =>
        new(
            Options.Create(new OnCallOptions
            {
                ConfigPath = path ?? ConfigFile,
                WatchForChanges = watch,
                ReloadDebounce = debounce ?? TimeSpan.FromSeconds(1),
                MaxConfigBytes = maxConfigBytes ?? OnCallOptions.DefaultMaxConfigBytes,
            }),
            _store,
            _time,
            _logger);

    private void Write(string text) => File.WriteAllText(ConfigFile, text);

    private bool Logged(LogLevel level, string text) =>
        _logger.Entries.Any(e => e.Level == level && e.Message.Contains(text, StringComparison.Ordinal));

    [Fact]
    public async Task StartAsync_ValidFile_ServesItAndSavesSnapshot()
    {
        Write(ValidV1);
        using var provider = CreateProvider();

        await provider.StartAsync(CancellationToken.None);

        Assert.Equal(["alice"], provider.Current.Users.Keys.ToList());
        Assert.Equal("checkout", provider.Current.FindService("checkout")?.Id);
        var snapshot = Assert.Single(_store.Saved);
        Assert.Equal(ConfigFile, snapshot.SourcePath);
        Assert.Equal(ValidV1, snapshot.Content);
        Assert.Equal(OnCallConfigLoader.Sha256Of(ValidV1), snapshot.Sha256);
        Assert.Equal(Instant.FromUtc(2026, 1, 5, 9, 0), snapshot.LoadedAt);
        Assert.Equal(snapshot.Sha256, provider.CurrentSha256);
        Assert.True(Logged(LogLevel.Information, "1 users, 1 teams, 0 schedules, 1 escalation policies, 1 services"));
    }

    [Fact]
    public async Task ReloadAsync_InvalidThenValid_KeepsLastGoodModelUntilFixed()
    {
        Write(ValidV1);
        using var provider = CreateProvider();
        await provider.StartAsync(CancellationToken.None);
        var first = provider.Current;
        var changes = new List<OnCallModelChangedEventArgs>();
        provider.Changed += (_, e) => changes.Add(e);

        Write(Invalid);
        var rejected = await provider.ReloadAsync(CancellationToken.None);

        Assert.False(rejected.IsValid);
        var error = Assert.Single(rejected.Errors);
        Assert.Equal((4, 16), (error.Line, error.Column));
        Assert.Same(first, provider.Current);
        Assert.Equal(rejected.Errors, provider.LastReloadErrors);
        Assert.True(Logged(LogLevel.Error, $"{ConfigFile}:4:16: unknown time zone 'Europe/Berln'"));
        Assert.True(Logged(LogLevel.Warning, "was not applied; the bot keeps serving the config it had"));
        Assert.Single(_store.Saved);
        Assert.Empty(changes);

        Write(ValidV2);
        var applied = await provider.ReloadAsync(CancellationToken.None);

        Assert.True(applied.IsValid);
        Assert.NotSame(first, provider.Current);
        Assert.Equal(["checkout", "ledger"], provider.Current.Services.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(provider.LastReloadErrors);
        Assert.Equal(2, _store.Saved.Count);
        Assert.Equal(ValidV2, _store.Saved[^1].Content);
        var change = Assert.Single(changes);
        Assert.Same(first, change.Previous);
        Assert.Same(provider.Current, change.Current);
        Assert.Equal(OnCallConfigLoader.Sha256Of(ValidV2), change.Sha256);
    }

    [Fact]
    public async Task ReloadAsync_FileDeleted_KeepsModelAndReportsTheMissingPath()
    {
        Write(ValidV1);
        using var provider = CreateProvider();
        await provider.StartAsync(CancellationToken.None);
        var first = provider.Current;

        File.Delete(ConfigFile);
        var result = await provider.ReloadAsync(CancellationToken.None);

        Assert.Equal($"on-call config file not found: {ConfigFile} (set OnCall:ConfigPath)", Assert.Single(result.Errors).Message);
        Assert.Same(first, provider.Current);
    }

    [Fact]
    public async Task ReloadAsync_SameContent_NeitherSwapsNorNotifies()
    {
        Write(ValidV1);
        using var provider = CreateProvider();
        await provider.StartAsync(CancellationToken.None);
        var first = provider.Current;
        var notified = 0;
        provider.Changed += (_, _) => notified++;

        var result = await provider.ReloadAsync(CancellationToken.None);

        Assert.True(result.IsValid);
        Assert.Same(first, provider.Current);
        Assert.Equal(0, notified);
        Assert.Single(_store.Saved);
    }

    [Fact]
    public async Task ReloadAsync_ChangedHandlerThrows_ModelStillSwappedAndOtherHandlersRun()
    {
        Write(ValidV1);
        using var provider = CreateProvider();
        await provider.StartAsync(CancellationToken.None);
        var secondHandlerRan = false;
        provider.Changed += (_, _) => throw new InvalidOperationException("subscriber bug");
        provider.Changed += (_, _) => secondHandlerRan = true;

        Write(ValidV2);
        var result = await provider.ReloadAsync(CancellationToken.None);

        Assert.True(result.IsValid);
        Assert.True(provider.Current.Services.ContainsKey("ledger"));
        Assert.True(secondHandlerRan);
        Assert.True(Logged(LogLevel.Error, "Changed event failed"));
    }

    [Fact]
    public async Task StartAsync_InvalidFileAndStoredSnapshot_ServesTheSnapshot()
    {
        await _store.SaveAsync(
            new ConfigSnapshot("/etc/oncall/oncall.yaml", ValidV1, OnCallConfigLoader.Sha256Of(ValidV1), Instant.FromUtc(2026, 1, 4, 17, 30)),
            CancellationToken.None);
        Write(Invalid);
        using var provider = CreateProvider();

        await provider.StartAsync(CancellationToken.None);

        Assert.Equal(["alice"], provider.Current.Users.Keys.ToList());
        Assert.Equal(OnCallConfigLoader.Sha256Of(ValidV1), provider.CurrentSha256);
        Assert.Equal(4, Assert.Single(provider.LastReloadErrors).Line);
        Assert.True(Logged(LogLevel.Error, $"{ConfigFile}:4:16: unknown time zone"));
        Assert.True(Logged(LogLevel.Warning, "serves the last good config from 2026-01-04T17:30:00Z"));
        Assert.Single(_store.Saved);
    }

    [Fact]
    public async Task StartAsync_InvalidFileAndNoSnapshot_ThrowsListingLineNumberedErrors()
    {
        Write(Invalid);
        using var provider = CreateProvider();

        var ex = await Assert.ThrowsAsync<OnCallConfigException>(() => provider.StartAsync(CancellationToken.None));

        Assert.Contains("no last good config is stored", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{ConfigFile}:4:16: unknown time zone 'Europe/Berln'; did you mean 'Europe/Berlin'?", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4, Assert.Single(ex.Errors).Line);
        Assert.Throws<InvalidOperationException>(() => provider.Current);
        Assert.Empty(_store.Saved);
    }

    [Fact]
    public async Task StartAsync_MissingFileAndNoSnapshot_ThrowsNamingTheAbsolutePath()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, _dir.File("missing.yaml"));
        using var provider = CreateProvider(relative);

        var ex = await Assert.ThrowsAsync<OnCallConfigException>(() => provider.StartAsync(CancellationToken.None));

        Assert.Equal(_dir.File("missing.yaml"), provider.ConfigPath);
        Assert.Contains($"on-call config file not found: {_dir.File("missing.yaml")} (set OnCall:ConfigPath)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_SnapshotInvalidToo_ThrowsListingBoth()
    {
        var brokenSnapshot = Yaml.Lines("users:", "  - id: bob", "    name: Bob");
        await _store.SaveAsync(
            new ConfigSnapshot("/etc/oncall/oncall.yaml", brokenSnapshot, OnCallConfigLoader.Sha256Of(brokenSnapshot), Instant.FromUtc(2026, 1, 4, 0, 0)),
            CancellationToken.None);
        Write(Invalid);
        using var provider = CreateProvider();

        var ex = await Assert.ThrowsAsync<OnCallConfigException>(() => provider.StartAsync(CancellationToken.None));

        Assert.Equal(2, ex.Errors.Count);
        Assert.Contains($"{ConfigFile}:4:16:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("missing required key 'time_zone' in user 'bob'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/etc/oncall/oncall.yaml (snapshot of 2026-01-04T00:00:00Z):2:5:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_InvalidFileAndStoreUnreadable_ThrowsWithErrorsAndCause()
    {
        _store.FailReadsWith = new IOException("database is locked");
        Write(Invalid);
        using var provider = CreateProvider();

        var ex = await Assert.ThrowsAsync<OnCallConfigException>(() => provider.StartAsync(CancellationToken.None));

        Assert.Contains("could not be read from the store (database is locked)", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{ConfigFile}:4:16:", ex.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(ex.InnerException);
    }

    [Fact]
    public async Task StartAsync_SnapshotSaveFails_ServesTheFileAndLogsTheFailure()
    {
        _store.FailSavesWith = new IOException("disk full");
        Write(ValidV1);
        using var provider = CreateProvider();

        await provider.StartAsync(CancellationToken.None);

        Assert.Equal(["alice"], provider.Current.Users.Keys.ToList());
        Assert.True(Logged(LogLevel.Error, "Could not save the on-call config snapshot"));
    }

    [Fact]
    public async Task StartAsync_NoConfigPath_ServesEmptyModelAndSaysHowToSetIt()
    {
        using var provider = CreateProvider(path: "  ");

        await provider.StartAsync(CancellationToken.None);

        Assert.Same(OnCallModel.Empty, provider.Current);
        Assert.Null(provider.ConfigPath);
        var warning = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("Set OnCall:ConfigPath", warning.Message, StringComparison.Ordinal);
        var reload = await provider.ReloadAsync(CancellationToken.None);
        Assert.Contains("no on-call config file is set", Assert.Single(reload.Errors).Message, StringComparison.Ordinal);
        Assert.Same(OnCallModel.Empty, provider.Current);
    }

    [Fact]
    public void Current_BeforeStart_ThrowsSayingWhatStartsIt()
    {
        using var provider = CreateProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.Current);

        Assert.Contains("AddOnCallConfiguration", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileChange_ReloadsOnlyOnceTheDebounceHasElapsed()
    {
        Write(ValidV1);
        using var provider = CreateProvider();
        await provider.StartAsync(CancellationToken.None);
        var first = provider.Current;

        Write(ValidV2);
        provider.OnFileSystemChange();
        _time.Advance(TimeSpan.FromMilliseconds(999));

        Assert.Equal(0, provider.WatcherReloadCount);
        Assert.Same(first, provider.Current);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await provider.LastWatcherReload;

        Assert.Equal(1, provider.WatcherReloadCount);
        Assert.True(provider.Current.Services.ContainsKey("ledger"));
    }

    [Fact]
    public async Task FileChanges_InABurst_ReloadOnceAfterTheLastChange()
    {
        Write(ValidV1);
        using var provider = CreateProvider(debounce: TimeSpan.FromSeconds(2));
        await provider.StartAsync(CancellationToken.None);

        provider.OnFileSystemChange();
        _time.Advance(TimeSpan.FromSeconds(1.5));
        Write(ValidV2);
        provider.OnFileSystemChange();
        _time.Advance(TimeSpan.FromSeconds(1.5));

        Assert.Equal(0, provider.WatcherReloadCount);

        _time.Advance(TimeSpan.FromSeconds(0.5));
        await provider.LastWatcherReload;
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, provider.WatcherReloadCount);
        Assert.True(provider.Current.Services.ContainsKey("ledger"));
    }

    [Fact]
    public async Task FileChange_ToInvalidContent_KeepsModelAndLogsErrors()
    {
        Write(ValidV1);
        using var provider = CreateProvider();
        await provider.StartAsync(CancellationToken.None);
        var first = provider.Current;

        Write(Invalid);
        provider.OnFileSystemChange();
        _time.Advance(TimeSpan.FromSeconds(1));
        await provider.LastWatcherReload;

        Assert.Same(first, provider.Current);
        Assert.True(Logged(LogLevel.Error, $"{ConfigFile}:4:16: unknown time zone"));
    }

    [Fact]
    public async Task StopAsync_PendingChange_IsNotReloaded()
    {
        Write(ValidV1);
        using var provider = CreateProvider();
        await provider.StartAsync(CancellationToken.None);

        Write(ValidV2);
        provider.OnFileSystemChange();
        await provider.StopAsync(CancellationToken.None);
        provider.OnFileSystemChange();
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, provider.WatcherReloadCount);
        Assert.False(provider.Current.Services.ContainsKey("ledger"));
    }

    [Fact]
    public async Task Watcher_EditorSavesByRenamingOverTheFile_ReloadsAfterDebounce()
    {
        Write(ValidV1);
        using var provider = CreateProvider(watch: true);
        await provider.StartAsync(CancellationToken.None);
        var observed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.FileChangeObserved += () => observed.TrySetResult();

        var temp = _dir.File(".oncall.yaml.swp");
        File.WriteAllText(temp, ValidV2);
        File.Move(temp, ConfigFile, overwrite: true);
        // Waits for the operating system's change notification, not for a timing: it ends as soon as it arrives.
        await observed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(provider.Current.Services.ContainsKey("ledger"));
        _time.Advance(TimeSpan.FromSeconds(1));
        await provider.LastWatcherReload;

        Assert.True(provider.Current.Services.ContainsKey("ledger"));
        Assert.True(Logged(LogLevel.Information, $"Watching {ConfigFile} for changes"));
    }

    [Fact]
    public async Task Watcher_FileCreatedAfterStartOnSnapshot_IsLoaded()
    {
        await _store.SaveAsync(
            new ConfigSnapshot(ConfigFile, ValidV1, OnCallConfigLoader.Sha256Of(ValidV1), Instant.FromUtc(2026, 1, 4, 0, 0)),
            CancellationToken.None);
        using var provider = CreateProvider(watch: true);
        await provider.StartAsync(CancellationToken.None);
        Assert.Contains("on-call config file not found", Assert.Single(provider.LastReloadErrors).Message, StringComparison.Ordinal);
        var observed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.FileChangeObserved += () => observed.TrySetResult();

        var temp = _dir.File("oncall.yaml.tmp");
        File.WriteAllText(temp, ValidV2);
        File.Move(temp, ConfigFile);
        await observed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(1));
        await provider.LastWatcherReload;

        Assert.True(provider.Current.Services.ContainsKey("ledger"));
        Assert.Empty(provider.LastReloadErrors);
        Assert.Equal(ValidV2, _store.Saved[^1].Content);
    }

    [Fact]
    public async Task FileChange_ToFileNestedTooDeep_KeepsTheLastGoodModelAndLogsWhere()
    {
        Write(ValidV1);
        using var provider = CreateProvider();
        await provider.StartAsync(CancellationToken.None);
        var first = provider.Current;

        Write(NestedTooDeep);
        provider.OnFileSystemChange();
        _time.Advance(TimeSpan.FromSeconds(1));
        await provider.LastWatcherReload;

        Assert.Same(first, provider.Current);
        Assert.Equal((1, 71), (Assert.Single(provider.LastReloadErrors).Line, provider.LastReloadErrors[0].Column));
        Assert.True(Logged(LogLevel.Error, $"{ConfigFile}:1:71: nested too deep"));
        Assert.True(Logged(LogLevel.Warning, "was not applied; the bot keeps serving the config it had"));
        Assert.Single(_store.Saved);
    }

    [Fact]
    public async Task StartAsync_FileNestedTooDeepAndStoredSnapshot_ServesTheSnapshot()
    {
        await _store.SaveAsync(
            new ConfigSnapshot(ConfigFile, ValidV1, OnCallConfigLoader.Sha256Of(ValidV1), Instant.FromUtc(2026, 1, 4, 17, 30)),
            CancellationToken.None);
        Write(NestedTooDeep);
        using var provider = CreateProvider();

        await provider.StartAsync(CancellationToken.None);

        Assert.Equal(["alice"], provider.Current.Users.Keys.ToList());
        Assert.Equal(OnCallConfigLoader.Sha256Of(ValidV1), provider.CurrentSha256);
        Assert.StartsWith("nested too deep", Assert.Single(provider.LastReloadErrors).Message, StringComparison.Ordinal);
        Assert.True(Logged(LogLevel.Warning, "serves the last good config from 2026-01-04T17:30:00Z"));
    }

    [Fact]
    public async Task ReloadAsync_InvalidUtf8_KeepsTheLastGoodModel()
    {
        Write(ValidV1);
        using var provider = CreateProvider();
        await provider.StartAsync(CancellationToken.None);
        var first = provider.Current;

        File.WriteAllBytes(ConfigFile, [.. System.Text.Encoding.UTF8.GetBytes("users:\n  - id: b"), 0xC0, 0xAF, (byte)'\n']);
        var result = await provider.ReloadAsync(CancellationToken.None);

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal((2, 10), (error.Line, error.Column));
        Assert.StartsWith("invalid UTF-8", error.Message, StringComparison.Ordinal);
        Assert.Same(first, provider.Current);
        Assert.Single(_store.Saved);
    }

    [Fact]
    public async Task StartAsync_FileOverMaxConfigBytes_ServesTheSnapshotAndLogsTheSizeAndLimit()
    {
        await _store.SaveAsync(
            new ConfigSnapshot(ConfigFile, ValidV1, OnCallConfigLoader.Sha256Of(ValidV1), Instant.FromUtc(2026, 1, 4, 17, 30)),
            CancellationToken.None);
        Write(ValidV2 + "# " + new string('x', 2_000) + "\n");
        using var provider = CreateProvider(maxConfigBytes: 2_048);

        await provider.StartAsync(CancellationToken.None);

        Assert.Equal(["checkout"], provider.Current.Services.Keys.ToList());
        Assert.True(Logged(LogLevel.Error, $"{ConfigFile}: the file is {new FileInfo(ConfigFile).Length:N0} bytes, more than the limit of 2,048 bytes (OnCall:MaxConfigBytes)"));
    }
}
