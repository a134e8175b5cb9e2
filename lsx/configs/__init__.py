"""Files lsx needs at run time: labeling-config templates, samples and example files."""
