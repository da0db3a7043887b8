using OnCallBot.Core.Delivery;
using Xunit;

namespace OnCallBot.TestKit.Delivery;

/// <summary>Faults the outbox reported while a test ran (a handler's bug): the test fails on the first look.</summary>
public sealed class OutboxFaults
{
    private readonly List<string> _faults = [];

    public void Add(OutboxItem item, Exception exception)
    {
        lock (_faults)
        {
            _faults.Add($"{item.Kind} #{item.Id} for incident {item.IncidentNumber}: {exception}");
        }
    }

    public void AssertNone()
    {
        lock (_faults)
        {
            Assert.Empty(_faults);
        }
    }
}
