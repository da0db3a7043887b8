using System.Text.RegularExpressions;
using System.Xml.Linq;
using OnCallBot.TestKit;

namespace OnCallBot.Host.Tests;

/// <summary>
/// The README's dependency table is what an admin or a reviewer reads before trusting a build: it must name every
/// package Directory.Packages.props pins, at the pinned version, and nothing that is not pinned.
/// </summary>
public sealed partial class DependencyListTests
{
    [Fact]
    public void ReadmeDependencyTable_MatchesDirectoryPackagesProps()
    {
        var props = XDocument.Load(Path.Combine(SharedFixtures.RepositoryRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.Ordinal);

        var readme = File.ReadAllText(Path.Combine(SharedFixtures.RepositoryRoot, "README.md"));
        var section = readme[readme.IndexOf("### Dependencies", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", StringComparison.Ordinal)];
        var listed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            var names = Backticked().Matches(cells[1]).Select(m => m.Groups[1].Value).ToList();
            var versions = Version().Matches(cells[1] + " " + cells[2]).Select(m => m.Value).ToList();
            // A row lists its packages and then their versions in the same order: inline "(+ name version)" pairs
            // in the first cell, and the rest in the version cell (one version for all, or one per package).
            var inline = InlinePair().Matches(cells[1]).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            var rest = names.Where(n => !inline.ContainsKey(n)).ToList();
            var restVersions = Version().Matches(cells[2]).Select(m => m.Value).ToList();
            for (var i = 0; i < rest.Count; i++)
            {
                listed[rest[i]] = restVersions.Count == 1 ? restVersions[0] : restVersions[i];
            }
            foreach (var (name, version) in inline)
            {
                listed[name] = version;
            }
            Assert.NotEmpty(versions);
        }

        Assert.Equal(props.OrderBy(p => p.Key, StringComparer.Ordinal), listed.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [GeneratedRegex("`([A-Za-z0-9.]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"\d+\.\d+\.\d+")]
    private static partial Regex Version();

    [GeneratedRegex(@"`([A-Za-z0-9.]+)` (\d+\.\d+\.\d+)")]
    private static partial Regex InlinePair();
}
