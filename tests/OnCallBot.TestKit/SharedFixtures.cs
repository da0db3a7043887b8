namespace OnCallBot.TestKit;

/// <summary>
/// Finds the third-party fixtures in <c>../shared/fixtures</c> beside the repository. They are read in
/// place, never copied; a clone without them skips the tests that need them, with this reason.
/// </summary>
public static class SharedFixtures
{
    public const string MissingReason =
        "../shared/fixtures is not beside this clone: the platform payload fixtures are third-party files kept outside the repository.";

    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>The fixtures folder, or null when it is absent.</summary>
    public static string? Directory => Root.Value;

    /// <summary>The full path of a fixture file, e.g. <c>slack/signing/slack_request_signing_test_vectors.json</c>.</summary>
    public static string PathOf(string relative) =>
        Path.Combine(Directory ?? throw new InvalidOperationException(MissingReason), relative);

    public static string ReadText(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>The repository root (the folder with OnCallBot.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string? FindRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("ONCALLBOT_SHARED_FIXTURES");
        if (!string.IsNullOrEmpty(fromEnvironment) && System.IO.Directory.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }
        var candidate = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "fixtures"));
        return System.IO.Directory.Exists(candidate) ? candidate : null;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OnCallBot.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Tests must run from inside the OnCallBot repository (OnCallBot.sln not found above the test binaries).");
    }
}
