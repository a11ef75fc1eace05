"""What instructors use to write, prove and hand out banks: skeletons, validation and exports."""
