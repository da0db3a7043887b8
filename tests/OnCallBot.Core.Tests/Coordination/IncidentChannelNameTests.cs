using OnCallBot.Core.Coordination;

namespace OnCallBot.Core.Tests.Coordination;

public sealed class IncidentChannelNameTests
{
    [Fact]
    public void For_PlainSummary_LowercaseSlugAfterTheNumber()
    {
        Assert.Equal("inc-42-cards-are-timing-out", IncidentChannelName.For(42, "Cards are timing out"));
    }

    [Fact]
    public void For_AccentedSummary_FoldsAccentsToTheirLetters()
    {
        Assert.Equal("inc-7-zahlungsausfall-fur-kunden", IncidentChannelName.For(7, "Zahlungsausfall für Kunden"));
        Assert.Equal("inc-7-echec-de-paiement-a-l-ecran", IncidentChannelName.For(7, "Échec de paiement à l'écran"));
    }

    [Fact]
    public void For_LettersWithoutDecomposition_SpelledOutNotCutIntoPieces()
    {
        // ß, ø, æ... have no combining-mark form: without folding "Straße" would become "stra-e".
        Assert.Equal("inc-7-strassenbahn-storung-in-kobenhavn-aerger", IncidentChannelName.For(7, "Straßenbahn-Störung in København, Ærger"));
    }

    [Fact]
    public void For_EmojiOnlySummary_JustTheNumber()
    {
        Assert.Equal("inc-7", IncidentChannelName.For(7, "🔥🔥 🚨"));
        Assert.Equal("inc-7", IncidentChannelName.For(7, "   "));
    }

    [Fact]
    public void For_PunctuationAndEmojiRuns_CollapseToOneHyphen()
    {
        Assert.Equal("inc-7-checkout-500s-again", IncidentChannelName.For(7, "  Checkout!!! -- 500s??? 🔥 (again)  "));
    }

    [Fact]
    public void For_UnderscoresAndDigits_Kept()
    {
        Assert.Equal("inc-7-db_primary-at-99-cpu", IncidentChannelName.For(7, "DB_PRIMARY at 99% CPU"));
    }

    [Fact]
    public void For_LongSummary_CutTo80WithTheNumberKeptAndNoTrailingHyphen()
    {
        var summary = string.Join(' ', Enumerable.Repeat("payments", 20));

        var name = IncidentChannelName.For(123, summary);

        Assert.Equal(IncidentChannelName.MaxLength - 1, name.Length);
        Assert.StartsWith("inc-123-payments-payments-", name, StringComparison.Ordinal);
        // The cut falls right after a word: the hyphen it leaves is trimmed.
        Assert.EndsWith("-payments", name, StringComparison.Ordinal);
    }

    [Fact]
    public void For_LongUnbrokenSummary_ExactlyMaxLength()
    {
        var name = IncidentChannelName.For(7, new string('x', 200));

        Assert.Equal(IncidentChannelName.MaxLength, name.Length);
        Assert.Equal("inc-7-" + new string('x', 74), name);
    }

    [Fact]
    public void For_LaterAttempts_SuffixKeptWholeEvenWhenTheSlugIsCut()
    {
        Assert.Equal("inc-7-checkout-down", IncidentChannelName.For(7, "Checkout down", attempt: 1));
        Assert.Equal("inc-7-checkout-down-2", IncidentChannelName.For(7, "Checkout down", attempt: 2));
        Assert.Equal("inc-7-3", IncidentChannelName.For(7, "🔥", attempt: 3));

        var cut = IncidentChannelName.For(7, new string('x', 200), attempt: 12);

        Assert.Equal(IncidentChannelName.MaxLength, cut.Length);
        Assert.EndsWith("x-12", cut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Zahlungsausfall für Kunden")]
    [InlineData("ОШИБКА оплаты 💳 — 東京")]
    [InlineData("CPU > 95% on db-01 / db-02 :: PAGE")]
    public void For_AnySummary_OnlyCharactersSlackAccepts(string summary)
    {
        var name = IncidentChannelName.For(99, summary, attempt: 4);

        Assert.True(name.Length <= IncidentChannelName.MaxLength);
        Assert.All(name, c => Assert.True(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_', $"'{c}' in {name}"));
        Assert.DoesNotContain("--", name, StringComparison.Ordinal);
        Assert.StartsWith("inc-99", name, StringComparison.Ordinal);
        Assert.EndsWith("-4", name, StringComparison.Ordinal);
    }

    [Fact]
    public void For_DecomposedAccentsAndVietnamese_FoldedToo()
    {
        // macOS sends "ü" as "u" and a combining diaeresis; Vietnamese stacks two marks on one letter.
        Assert.Equal("inc-7-fur-kunden", IncidentChannelName.For(7, "Fu\u0308r Kunden"));
        Assert.Equal("inc-7-loi-thanh-toan", IncidentChannelName.For(7, "Lỗi thanh toán"));
    }
}
