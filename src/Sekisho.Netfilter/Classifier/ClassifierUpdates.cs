namespace Sekisho.Netfilter.Classifier;

/// <summary>How the chain classifiers of a compiled table came about when it was compiled.</summary>
/// <param name="Kept">Chains whose rules were the same: the previous table's classifier, taken over as it was.</param>
/// <param name="Changed">Chains with one rule inserted or deleted: a copy of the previous classifier with that one change.</param>
/// <param name="Built">Chains whose classifier was built from their rules.</param>
public readonly record struct ClassifierUpdates(int Kept, int Changed, int Built);
