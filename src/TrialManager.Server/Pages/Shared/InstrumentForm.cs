using System.Globalization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using TrialManager.Server.Features.Instruments;

namespace TrialManager.Server.Pages.Shared;

/// <summary>
/// One instrument's items as a form (the partial <c>_InstrumentItems</c>): each item with the instrument's own label and
/// its scale's anchors, radio buttons for up to 7 values and a number field otherwise; and the answers read back.
/// </summary>
/// <param name="Order">The items in the order shown, numbered by their place (<see cref="BlindOrder"/>); null: the
/// instrument's own order, numbered by item id.</param>
public sealed record InstrumentForm(
    TrialPageModel Page, InstrumentView Instrument, string IdPrefix, bool Posted, IReadOnlyDictionary<string, string> Given,
    IReadOnlyList<InstrumentItemView>? Order = null)
{
    public static string FieldOf(string itemId) => "item-" + itemId;

    public IReadOnlyList<InstrumentItemView> Shown => Order ?? Instrument.Items;

    /// <summary>The number an item is shown with: its id, or its place when the form is reordered (ids would tell the original order).</summary>
    public string Number(string itemId) =>
        Order is null ? itemId : (Order.ToList().FindIndex(i => i.Id == itemId) + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A fidelity form's items in the order a blind rater sees them: each element (an adherence item, then the
    /// competence items that apply when it is above 0) alphabetically by its label, then id. The definition lists the
    /// shared elements first and the proscribed last; this order follows only the labels the rater reads, never the
    /// tags, and is the same on every load.
    /// </summary>
    public static IReadOnlyList<InstrumentItemView> BlindOrder(InstrumentView form)
    {
        var dependents = form.Items.Where(i => i.AppliesWhen is not null).ToLookup(i => i.AppliesWhen!.Item, StringComparer.Ordinal);
        var order = form.Items.Where(i => i.AppliesWhen is null)
            .OrderBy(i => i.Label, StringComparer.OrdinalIgnoreCase).ThenBy(i => i.Id, StringComparer.Ordinal)
            .SelectMany(i => dependents[i.Id].Prepend(i))
            .ToList();
        // An item depending on a dependent (no fidelity form has one) is kept, last, rather than dropped.
        return [.. order, .. form.Items.Where(i => !order.Contains(i))];
    }

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
