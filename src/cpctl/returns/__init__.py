"""The authority's numbers: England's Children in Need census (census), the yearly indicators (stats), and the
shapes both hand to the documents (figures). Above casework, below documents: the annual report reads these."""
