namespace OnCallBot.Core.Paging;

/// <summary>Settings of the paging flow (section <c>Paging</c>).</summary>
public sealed class PagingOptions
{
    public const string SectionName = "Paging";

    /// <summary>How long a person paged directly (<c>/page @user</c>) has to acknowledge before being paged again. Default 5 minutes.</summary>
    public TimeSpan DirectPageTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many more times a direct page is repeated before the pager is told nobody answered. Default 2.</summary>
    public int DirectPageRepeat { get; set; } = 2;
}
