namespace OnCallBot.TestKit;

/// <summary>A fact that is skipped, with a clear reason, when <c>../shared/fixtures</c> is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedFixtureFactAttribute : FactAttribute
{
    public SharedFixtureFactAttribute()
    {
        if (SharedFixtures.Directory is null)
        {
            Skip = SharedFixtures.MissingReason;
        }
    }
}

/// <summary>A theory that is skipped, with a clear reason, when <c>../shared/fixtures</c> is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SharedFixtureTheoryAttribute : TheoryAttribute
{
    public SharedFixtureTheoryAttribute()
    {
        if (SharedFixtures.Directory is null)
        {
            Skip = SharedFixtures.MissingReason;
        }
    }
}
