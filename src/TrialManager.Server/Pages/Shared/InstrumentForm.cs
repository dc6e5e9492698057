using System.Globalization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using TrialManager.Server.Features.Instruments;

namespace TrialManager.Server.Pages.Shared;

/// <summary>
/// One instrument's items as a form (the partial <c>_InstrumentItems</c>): each item with the instrument's own label and
/// its scale's anchors, radio buttons for up to 7 values and a number field otherwise; and the answers read back.
/// </summary>
public sealed record InstrumentForm(TrialPageModel Page, InstrumentView Instrument, string IdPrefix, bool Posted, IReadOnlyDictionary<string, string> Given)
{
    public static string FieldOf(string itemId) => "item-" + itemId;

    /// <summary>Every value of an item's scale with its anchor's label where it has one.</summary>
    public static IEnumerable<(int Value, string? Label)> Options(ScaleView scale) =>
        Enumerable.Range(scale.Min, scale.Max - scale.Min + 1).Select(v => (v, scale.Anchors.FirstOrDefault(a => a.Value == v)?.Label));

    /// <summary>
    /// The posted answers by item id (blank is missing: the instrument's own rule decides), what was typed kept in
    /// <paramref name="given"/>; null when a value is not a number, each such item's error added (never sent as missing).
    /// </summary>
    public static Dictionary<string, decimal?>? Read(IFormCollection form, InstrumentView instrument, ModelStateDictionary modelState, IDictionary<string, string> given)
    {
        var items = new Dictionary<string, decimal?>(StringComparer.Ordinal);
        var unreadable = false;
        foreach (var item in instrument.Items)
        {
            var text = form[FieldOf(item.Id)].ToString().Trim();
            given[item.Id] = text;
            if (text.Length == 0)
            {
                items[item.Id] = null;
            }
            else if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                items[item.Id] = value;
            }
            else
            {
                modelState.AddModelError($"items.{item.Id}", "must be a whole number");
                unreadable = true;
            }
        }

        return unreadable ? null : items;
    }
}
