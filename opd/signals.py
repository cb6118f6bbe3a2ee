"""What opd tells the apps above it, which it never imports (tests/test_import_graph.py).

- `asn_edited_by_hand`: the admin saved one ASN (`asn_id`; `previous_opd_id`, None
  for a new one). A transfer, a deactivation or a new jabatan changes who counts where.
- `asns_deleting_by_hand`: the admin is about to delete ASN (`queryset`). A receiver
  reads what it needs while the rows exist and answers with a function to call once
  they are gone (or None); the admin calls those answers after the delete.

skp connects the rollup refresh to both (skp/signals.py).
"""

from django.dispatch import Signal

asn_edited_by_hand = Signal()
asns_deleting_by_hand = Signal()
