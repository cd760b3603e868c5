"""Per-document annotation: a pure function of (Document, Models) -> DocAnnotation."""

from narrascope.annotate.models import Models, load_models
from narrascope.annotate.pipeline import annotate_document, annotate_documents

__all__ = ["Models", "annotate_document", "annotate_documents", "load_models"]
