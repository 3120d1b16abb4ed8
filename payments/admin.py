"""The back office of payments. Innovation vouchers: payments.voucher_admin."""

from payments import voucher_admin  # noqa: F401  (registers the voucher admin)
