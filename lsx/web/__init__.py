"""Web front ends: the REST API (`lsx.web.api`) and the labeling UI, served by `lsx serve`."""
