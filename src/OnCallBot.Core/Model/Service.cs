namespace OnCallBot.Core.Model;

/// <summary>Something that can break and be paged for. <see cref="Aliases"/> let <c>/page cart</c> find <c>cart-api</c>.</summary>
public sealed record Service(
    string Id,
    string Name,
    string OwnerTeamId,
    string EscalationPolicyId,
    Uri? RunbookUrl,
    IReadOnlyList<string> DependsOn,
    IReadOnlyList<string> Aliases);
